/**
 * `{name}` placeholders in registry strings. They are resolved when the workflow is generated
 * (domains, environment, namespace) or become shell variables / workflow expressions
 * (sha, version), never string-pasted into scripts.
 */

/** Placeholders a build argument or manifest variable may use (plus `domains.<key>`). */
export const VALUE_PLACEHOLDERS = ["sha", "environment", "namespace"] as const;
/** Placeholders an image tag may use. */
export const TAG_PLACEHOLDERS = ["sha", "version"] as const;

const PLACEHOLDER = /\{([^{}]*)\}/g;

export function placeholdersIn(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/** Replaces each `{name}` with `resolve(name)`. */
export function substitute(text: string, resolve: (name: string) => string): string {
  return text.replace(PLACEHOLDER, (_, name: string) => resolve(name));
}

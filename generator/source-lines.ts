/**
 * Lines in the registry's TypeScript source, found by tokens rather than a TypeScript parser (the
 * generate path must stay light): each token, a quoted string or an object key, is searched after
 * the previous one. Good enough to point an annotation at the right entry; undefined when lost.
 */
import type { Diagnostic } from "./diagnostics.ts";

export const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
const escape = escapeRegExp;

/** Finds each token in turn (as a quoted string or an object key) after the previous one. */
export function lineOfTokens(text: string, tokens: readonly (string | RegExp)[]): number | undefined {
  let from = 0;
  let at = -1;
  for (const token of tokens) {
    const re = typeof token === "string" ? new RegExp(`(["'\`])${escape(token)}\\1|(?<![\\w$-])${escape(token)}(?=\\s*:)`, "g") : token;
    re.lastIndex = from;
    const m = re.exec(text);
    if (!m) return at === -1 ? undefined : lineAtOffset(text, at);
    at = m.index;
    from = m.index + m[0].length;
  }
  return at === -1 ? undefined : lineAtOffset(text, at);
}

function lineAtOffset(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * Adds a line to registry diagnostics that have a registry path but none: `services[4].dependsOn[0]`
 * becomes the tokens `name: "<services[4].name>"`, `dependsOn`; numeric indices elsewhere are
 * skipped. Only run when there are diagnostics to show.
 */
export function locateInRegistry(diagnostics: readonly Diagnostic[], file: string, text: string, registry: unknown): Diagnostic[] {
  return diagnostics.map((d) => {
    if (d.file !== file || d.line !== undefined || !d.path) return d;
    const tokens: (string | RegExp)[] = [];
    const segments = [...d.path.matchAll(/([A-Za-z_$][\w$-]*)|\[(\d+)\]|\["([^"]+)"\]/g)];
    for (let i = 0; i < segments.length; i++) {
      const [, key, index, quoted] = segments[i]!;
      if (key === "services" && segments[i + 1]?.[2] !== undefined) {
        const name = (registry as { services?: { name?: unknown }[] })?.services?.[Number(segments[i + 1]![2])]?.name;
        if (typeof name === "string") tokens.push(new RegExp(`name\\s*:\\s*(["'\`])${escape(name)}\\1`, "g"));
        i++;
      } else if (key ?? quoted) tokens.push((key ?? quoted)!);
      void index;
    }
    const line = tokens.length ? lineOfTokens(text, tokens) : undefined;
    return line === undefined ? d : { ...d, line };
  });
}

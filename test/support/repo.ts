/** Paths and helpers shared by tests. */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { generate, type GenerateResult } from "../../generator/generate.ts";
import { TEMPLATE_FILES, type TemplateName } from "../../generator/render/templates.ts";

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const LAUNCHER = join(REPO, "generator", "launch.mjs");
export const TEMPLATES_DIR = join(REPO, "templates");

export function repoTemplates(): Record<TemplateName, string> {
  return Object.fromEntries(Object.entries(TEMPLATE_FILES).map(([name, rel]) => [name, readFileSync(join(TEMPLATES_DIR, rel), "utf8")])) as Record<TemplateName, string>;
}

/** Runs the pure generator on a registry value with the repository's templates. */
export function generateFrom(registry: unknown, configFile = "services.config.ts"): GenerateResult {
  return generate({ registry, configFile, templates: repoTemplates(), templatesDir: "templates" });
}

/** A deep copy of the default registry, to mutate in a test. */
export async function defaultRegistry(): Promise<Record<string, any>> {
  const mod = (await import("../../services.config.ts")) as { default: unknown };
  return structuredClone(mod.default) as Record<string, any>;
}

/**
 * The workflows the real generator makes, for the pipeline tests: from the default registry
 * (services.config.ts) or from any registry object, with the repository's templates.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { generate } from "../../generator/generate.ts";
import { readTemplates } from "../../generator/io.ts";
import defaultRegistry from "../../services.config.ts";

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export { defaultRegistry };

/** Generated file path -> YAML text. Throws on any error diagnostic (a test bug or a generator bug). */
export function generateWorkflows(registry: unknown = defaultRegistry): Map<string, string> {
  const templates = readTemplates(join(REPO_ROOT, "templates"));
  if (!templates.texts) throw new Error(`templates: ${JSON.stringify(templates.diagnostics)}`);
  const result = generate({ registry, configFile: "services.config.ts", templates: templates.texts, templatesDir: "templates" });
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  if (errors.length) throw new Error(`generate failed: ${errors.map((d) => `${d.code} ${d.path ?? ""} ${d.message}`).join("; ")}`);
  return new Map(result.files.map((f) => [f.path, f.content]));
}

export const STAGING = ".github/workflows/deploy-staging.yml";
export const PRODUCTION = ".github/workflows/deploy-aks.yml";

export interface WorkflowDoc {
  on: Record<string, unknown>;
  jobs: Record<string, { needs?: string[]; if?: string; strategy?: { matrix: { service: unknown } }; outputs?: Record<string, string>; steps: { name: string; id?: string; run?: string; env?: Record<string, string>; if?: string }[] } & Record<string, unknown>>;
}

export function parseWorkflowText(text: string): WorkflowDoc {
  return parse(text) as WorkflowDoc;
}

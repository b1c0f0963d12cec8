/**
 * The pure core: registry + templates -> the files to write, or diagnostics. `gen` writes what
 * this returns; `--check` compares the same result with the disk, so the two cannot disagree.
 */
import { type Diagnostic, hasErrors } from "./diagnostics.ts";
import { sha16, withBanner, workflowYaml } from "./render/emit.ts";
import { planAll } from "./plan/plan.ts";
import { pinTable } from "./render/pins.ts";
import type { Registry } from "./config/registry.ts";
import { renderWorkflow } from "./render/render.ts";
import { supportFiles } from "./render/support-files.ts";
import { runnerBundle } from "./build/runner-bundle.ts";
import { checkRules } from "./config/rules.ts";
import { parseRegistry } from "./config/schema.ts";
import { parseTemplate, TEMPLATE_FILES, type TemplateName, type Templates } from "./render/templates.ts";

export interface GeneratedFile {
  /** Path relative to the repository root, with `/` separators. */
  path: string;
  content: string;
  /** Empty for a file shared by every environment (the runner bundle). */
  environment: string;
  /** A workflow (default), or a support file the workflows run or read (`.github/deploy/`). */
  kind?: "workflow" | "support";
}

export interface GenerateInput {
  /** The registry's default export, not yet validated. */
  registry: unknown;
  /** Registry file name as shown in messages and the banner, e.g. `services.config.ts`. */
  configFile: string;
  /** Template texts by name, and the folder they were read from (for messages). */
  templates: Record<TemplateName, string>;
  templatesDir: string;
  /** The runner bundle's text (runner-bundle.ts); read from its cache when not given. */
  runnerBundle?: string;
}

export interface GenerateResult {
  files: GeneratedFile[];
  diagnostics: Diagnostic[];
  registry?: Registry;
}

export function generate(input: GenerateInput): GenerateResult {
  const parsed = parseRegistry(input.registry, input.configFile);
  if (!parsed.registry) return { files: [], diagnostics: parsed.diagnostics };
  const registry = parsed.registry;
  const diagnostics = checkRules(registry, input.configFile);

  const templates = {} as Templates;
  for (const [name, rel] of Object.entries(TEMPLATE_FILES) as [TemplateName, string][]) {
    const result = parseTemplate(input.templates[name], `${input.templatesDir}/${rel}`);
    templates[name] = result.steps;
    diagnostics.push(...result.diagnostics);
  }
  if (hasErrors(diagnostics)) return { files: [], diagnostics, registry };

  const pins = pinTable(registry.project.actionPins);
  const inputsHash = inputsHashOf(registry, input.templates);
  const plans = planAll(registry);
  const files: GeneratedFile[] = plans.map((plan) => ({
    path: plan.workflowFile,
    environment: plan.environment,
    content: withBanner(workflowYaml(renderWorkflow(plan, pins, templates), pins), { configFile: input.configFile, inputsHash }),
  }));
  files.push(...supportFiles(plans, pins, input.runnerBundle ?? runnerBundle(), input.configFile, inputsHash));
  return { files, diagnostics, registry };
}

/**
 * What the files were generated from: the validated registry (not its source text, so comments
 * and formatting do not count) and the template texts.
 */
export function inputsHashOf(registry: Registry, templates: Record<string, string>): string {
  return sha16(canonicalJson({ registry, templates }));
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

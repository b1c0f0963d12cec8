/**
 * `gen:workflows import --production <file> --staging <file> [--out services.config.ts]`:
 * reads two hand-written deploy workflows and writes the registry that generates them.
 *
 * Exit codes: 0 written, everything mapped; 1 written, but some constructs could not be mapped
 * (each listed with file:line: carry them over by hand); 2 usage error or the output exists
 * (without --force), nothing written; 3 the imported registry does not generate (a bug).
 */
import { basename, dirname, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { EXIT, type CliIo } from "../cli-types.ts";
import { usageError } from "./usage.ts";
import { type Diagnostic, formatDiagnosticText, hasErrors, sortDiagnostics } from "../diagnostics.ts";
import { generate } from "../generate.ts";
import { mergeWorkflows } from "../import/merge.ts";
import { normalizeCommand, readWorkflow } from "../import/read-workflow.ts";
import { execute } from "../import/shell-script.ts";
import { listYamlFiles, readIfExists, readTemplates, toPosix, writeAtomic } from "../io.ts";
import { resolvePaths } from "./project.ts";
import { toolRoot } from "../scaffold/tool-root.ts";
import { parseTemplate, TEMPLATE_FILES, type TemplateName } from "../render/templates.ts";

export async function runImport(args: string[], io: CliIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: { production: { type: "string" }, staging: { type: "string" }, out: { type: "string", default: "services.config.ts" }, root: { type: "string" }, force: { type: "boolean", default: false } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    return usageError(io, (e as Error).message);
  }
  if (!values.production || !values.staging) return usageError(io, "import needs both --production <file> and --staging <file>");
  const outPath = resolve(io.cwd, values.out);
  // The repository the workflows belong to: --root, else the folder holding .github/.
  const repoRoot = values.root ? resolve(io.cwd, values.root) : repositoryOf(resolve(io.cwd, values.production)) ?? io.cwd;
  if (readIfExists(outPath) !== undefined && !values.force) {
    io.stderr(`gen:workflows: ${values.out} exists; nothing was written. Pass --force to replace it, or --out <file> to write elsewhere.\n`);
    return EXIT.usage;
  }
  const inputs = [];
  for (const [name, file] of [["production", values.production], ["staging", values.staging]] as const) {
    const abs = resolve(io.cwd, file);
    const text = readIfExists(abs);
    if (text === undefined) return usageError(io, `--${name}: file not found: ${file}`);
    inputs.push({ name, abs, text, shown: toPosix(relative(io.cwd, abs)) || basename(abs) });
  }

  const paths = resolvePaths({ config: outPath, root: repoRoot, format: "text" }, io.cwd);
  const templates = readTemplates(paths.templatesDir);
  if (!templates.texts) {
    io.stderr(templates.diagnostics.map(formatDiagnosticText).join("\n") + "\n");
    return EXIT.usage;
  }
  const templateCommands = commandsOfTemplates(templates.texts);
  const ctx = {
    listYamlFiles: (dir: string) => listYamlFiles(join(repoRoot, dir)),
    readFile: (path: string) => readIfExists(join(repoRoot, path)),
    templateCommands,
  };
  const imported = mergeWorkflows(
    inputs.map((i) => ({ name: i.name, workflowFile: `.github/workflows/${basename(i.abs)}`, facts: readWorkflow(i.text, i.shown, ctx) })),
  );

  // The registry must generate before anything is written.
  const configFile = toPosix(relative(repoRoot, outPath)) || "services.config.ts";
  const check = generate({ registry: imported.registry, configFile, templates: templates.texts, templatesDir: "templates" });
  if (hasErrors(check.diagnostics)) {
    io.stderr(
      `${check.diagnostics.map(formatDiagnosticText).join("\n")}\ngen:workflows: internal error (this is a bug, please report it): the imported registry does not generate; nothing was written.\n`,
    );
    return EXIT.internal;
  }

  const morph = await import("ts-morph");
  const { registrySource } = await import("../import/write-registry.ts");
  const source = registrySource(morph, {
    registry: imported.registry,
    comments: imported.comments,
    sharedSecretServices: imported.sharedSecretServices,
    registryImport: registryImportFrom(dirname(outPath)),
    sources: inputs.map((i) => basename(i.abs)),
  });
  writeAtomic(outPath, source);
  io.stdout(importReport(imported.registry, imported.diagnostics, imported.sharedSecretServices.size, values.out));
  return imported.diagnostics.some((d) => d.code === "IMPORT_UNMAPPABLE") ? EXIT.drift : EXIT.ok;
}

/** The folder above `.github/workflows/<file>`, when the file is there. */
function repositoryOf(file: string): string | undefined {
  const dir = dirname(file);
  return basename(dir) === "workflows" && basename(dirname(dir)) === ".github" ? dirname(dirname(dir)) : undefined;
}

/**
 * `import { defineConfig } from "<this tool's generator/config/registry.ts>"`, relative to the written
 * file: `./generator/config/registry.ts` inside this repository, a `../…` path for a registry written
 * elsewhere (computed at run time from where the tool is installed).
 */
export function registryImportFrom(outDir: string): string {
  const rel = toPosix(relative(outDir, join(toolRoot(), "generator", "config", "registry.ts")));
  return rel.startsWith(".") ? rel : `./${rel}`;
}

function commandsOfTemplates(texts: Record<TemplateName, string>): Set<string> {
  const out = new Set<string>();
  for (const [name, rel] of Object.entries(TEMPLATE_FILES) as [TemplateName, string][]) {
    for (const step of parseTemplate(texts[name], rel).steps) {
      if (!step.run) continue;
      for (const c of execute(step.run, 1).commands) out.add(normalizeCommand(c.words));
      // Commands the executor does not reach (inside `if <command>; then`, retry loops) still
      // count: a hand-written step that runs one of them is done by the template.
      for (const m of step.run.matchAll(/\bkubectl\s[^;|&\n]*/g)) out.add(normalizeCommand(m[0].replace(/["']/g, "").trim().split(/\s+/)));
    }
  }
  return out;
}

function importReport(registry: import("../config/registry.ts").Registry, diagnostics: readonly Diagnostic[], sharedSecrets: number, out: string): string {
  const sorted = sortDiagnostics(diagnostics);
  const section = (title: string, code: Diagnostic["code"][]): string[] => {
    const list = sorted.filter((d) => code.includes(d.code));
    return list.length ? ["", `${title} (${list.length}):`, ...list.map((d) => `  ${formatDiagnosticText(d).replace(/\n/g, "\n  ")}`)] : [];
  };
  const built = registry.services.filter((s) => s.image !== false).length;
  const unmappable = sorted.filter((d) => d.code === "IMPORT_UNMAPPABLE").length;
  return [
    `Wrote ${out}: ${registry.services.length} services (${built} built), ${Object.keys(registry.secretGroups).length} secret groups, environments ${Object.keys(registry.environments).join(", ")}.`,
    ...section("Staging and production disagree; resolved as stated, each marked `// import:` in the registry", ["IMPORT_ENVIRONMENTS_DIFFER"]),
    ...section("Not carried over (the generated workflows do this differently)", ["IMPORT_NOT_CARRIED_OVER"]),
    ...section("Assumed", ["IMPORT_ASSUMPTION"]),
    ...section("Cannot be mapped: carry these over by hand", ["IMPORT_UNMAPPABLE"]),
    "",
    sharedSecrets
      ? `Secrets: the workflows do not say which service reads which secret, so ${sharedSecrets} backend and gateway services get every group (importedSecretGroups). Narrow them to what each service's manifests read.`
      : "Secrets: none created by the workflows.",
    unmappable
      ? `${unmappable} construct${unmappable === 1 ? "" : "s"} could not be mapped (exit 1). Carry them over, then run \`pnpm gen:workflows --force\`.`
      : "Next: review the `// import:` comments, run `pnpm gen:workflows --force` to replace the hand-written workflows, and commit.",
    "",
  ].join("\n");
}

/**
 * `gen:workflows import --production <file> --staging <file> [--out services.config.ts] [--root <repo>] [--format text|json]`:
 * reads two hand-written deploy workflows and writes the registry that generates them.
 *
 * Exit codes: 0 written, everything mapped; 1 written, but some constructs could not be mapped
 * (each listed with file:line: carry them over by hand); 2 usage error, the output exists
 * (without --force), or nothing the registry can hold was found; nothing written. A value the
 * registry rejects is left out and reported, never written broken, so no input gives exit 3.
 */
import { basename, dirname, isAbsolute, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { EXIT, type CliIo } from "../cli-types.ts";
import { usageError } from "./usage.ts";
import { type Diagnostic, error, formatDiagnosticText, JSON_SCHEMA_VERSION, sortDiagnostics, warning } from "../diagnostics.ts";
import { formatGroup, groupFindings, type ImportDiagnostic, SECTIONS } from "../import/findings.ts";
import { removeInvalid } from "../import/repair.ts";
import { generate } from "../generate.ts";
import { mergeWorkflows } from "../import/merge.ts";
import { normalizeCommand, type ReadContext, readWorkflow, type WorkflowFacts } from "../import/read-workflow.ts";
import { readRepository } from "../import/read-repository.ts";
import { diskRepoFiles } from "../audit/fs-repo-files.ts";
import { type DeployOrderReport, phaseCount } from "../import/deploy-order.ts";
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
      options: {
        production: { type: "string" },
        staging: { type: "string" },
        out: { type: "string", default: "services.config.ts" },
        root: { type: "string" },
        force: { type: "boolean", default: false },
        format: { type: "string", default: "text" },
        "keep-order": { type: "boolean", default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    return usageError(io, (e as Error).message);
  }
  if (!values.production || !values.staging) return usageError(io, "import needs both --production <file> and --staging <file>");
  if (values.format !== "text" && values.format !== "json") return usageError(io, `--format must be text or json, got "${values.format}"`);
  const outPath = resolve(io.cwd, values.out);
  // The repository the workflows belong to: --root, else the folder holding .github/.
  const repoRoot = values.root ? resolve(io.cwd, values.root) : repositoryOf(resolve(io.cwd, values.production)) ?? io.cwd;
  if (values.root && !diskRepoFiles(repoRoot).exists("")) return usageError(io, `--root: no such folder: ${values.root}`);
  let existing: string | undefined;
  try {
    existing = readIfExists(outPath);
  } catch (e) {
    return usageError(io, `--out: cannot write ${values.out} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); pass a file path, e.g. services.config.ts`);
  }
  if (existing !== undefined && !values.force) {
    io.stderr(`gen:workflows: ${values.out} exists; nothing was written. Pass --force to replace it, or --out <file> to write elsewhere.\n`);
    return EXIT.usage;
  }
  const inputs: { name: "production" | "staging"; abs: string; text: string; shown: string }[] = [];
  for (const [name, file] of [["production", values.production], ["staging", values.staging]] as const) {
    const abs = resolve(io.cwd, file);
    let text: string | undefined;
    try {
      text = readIfExists(abs);
    } catch (e) {
      // A folder (EISDIR) or an unreadable file is the user's mistake, not ours.
      return usageError(io, `--${name}: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); pass the workflow file, e.g. .github/workflows/deploy-aks.yml`);
    }
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
  const ctx: ReadContext = {
    listYamlFiles: (dir: string) => listYamlFiles(join(repoRoot, dir)),
    readFile: (path: string) => readIfExists(join(repoRoot, path)),
    templateCommands,
  };
  // The manifests root comes from the workflows' applies; the repository is read there, then the
  // workflows again with it (which folder defines which Deployment).
  const readAll = (c: ReadContext) => inputs.map((i) => ({ name: i.name, workflowFile: `.github/workflows/${basename(i.abs)}`, facts: readWorkflow(i.text, i.shown, c) }));
  const firstPass = readAll(ctx);
  const unreadable = firstPass.filter((e) => e.facts.unreadable);
  if (unreadable.length) {
    io.stderr(`${unreadable.flatMap((e) => e.facts.diagnostics).map(formatDiagnosticText).join("\n")}\ngen:workflows: ${unreadable.map((e) => e.facts.file).join(" and ")} cannot be read as a workflow; nothing was written.\n`);
    return EXIT.usage;
  }
  const manifests = readRepository(diskRepoFiles(repoRoot), firstPass[0]!.facts.manifestsRoot);
  // Used only when it holds the folder of every service the workflows deploy; a partial tree would
  // give some services no secrets and the deploy order no evidence.
  const deployedFolders = [...new Set(firstPass.flatMap((e) => Object.keys(e.facts.deployed)))];
  const missingFolders = manifests ? deployedFolders.filter((f) => !manifests.folders.has(f)) : [];
  const repository = manifests && !missingFolders.length ? manifests : undefined;
  const environments = repository ? readAll({ ...ctx, repository }) : firstPass;
  const imported = mergeWorkflows(environments, { ...(repository ? { repository } : {}), keepOrder: values["keep-order"] });
  if (manifests && missingFolders.length)
    imported.diagnostics.push(
      warning("IMPORT_ASSUMPTION", `the manifests were not read: ${firstPass[0]!.facts.manifestsRoot}/ has no folder for ${missingFolders.slice(0, 5).join(", ")}${missingFolders.length > 5 ? ", …" : ""}; secrets and deploy order come from the workflows only`, {
        file: firstPass[0]!.facts.file,
        line: 1,
        fix: "pass --root <the repository holding the manifests>",
      }),
    );

  // The registry must generate before anything is written: what it rejects is left out, at its line.
  const configFile = toPosix(relative(repoRoot, outPath)) || "services.config.ts";
  const diagnostics: ImportDiagnostic[] = [...imported.diagnostics];
  let registry = imported.registry;
  for (let attempt = 0; ; attempt++) {
    const errors = generate({ registry, configFile, templates: templates.texts, templatesDir: "templates" }).diagnostics.filter((d) => d.severity === "error");
    if (!errors.length) break;
    const repaired = attempt < 8 ? removeInvalid(registry, errors) : undefined;
    if (!repaired) {
      const where = inputs[0]!.shown;
      io.stderr(
        `${errors.map((d) => formatDiagnosticText(error("IMPORT_UNMAPPABLE", `the imported ${d.path ?? "registry"} cannot be expressed: ${d.message}`, { file: where, line: 1, fix: d.fix ?? "set it by hand in the registry" }))).join("\n")}\ngen:workflows: the workflows hold project settings the registry cannot express (above); nothing was written.\n`,
      );
      return EXIT.usage;
    }
    registry = repaired.registry;
    for (const l of repaired.leftOut) {
      const origin = originOf(l.service, environments);
      diagnostics.push({ ...error("IMPORT_UNMAPPABLE", `left out of the registry: ${l.path}: ${l.reason}`, { file: origin.file, line: origin.line, fix: "correct it in the workflow, or add it to the registry by hand" }), kind: "left-out", ...(l.service ? { subject: l.service } : {}) });
    }
  }

  const morph = await import("ts-morph");
  const { registrySource } = await import("../import/write-registry.ts");
  const source = registrySource(morph, {
    registry,
    comments: imported.comments,
    sharedSecretServices: imported.sharedSecretServices,
    registryImport: registryImportFrom(dirname(outPath)),
    sources: inputs.map((i) => basename(i.abs)),
  });
  writeAtomic(outPath, source);
  const unmappable = diagnostics.some((d) => d.code === "IMPORT_UNMAPPABLE");
  io.stdout(values.format === "json" ? importJson(values.out, unmappable, diagnostics, imported.order, { generated: phaseCount(registry.services), handWritten: imported.handWrittenPhases }) : importReport(registry, diagnostics, imported.sharedSecretServices.size, values.out, imported.order, imported.handWrittenPhases));
  return unmappable ? EXIT.drift : EXIT.ok;
}

/** Where a service came from in the workflows (its first apply), for a finding about it. */
function originOf(service: string | undefined, environments: readonly { facts: WorkflowFacts }[]): { file: string; line: number } {
  for (const { facts } of environments) {
    const at = service ? (facts.deployed[service] ?? facts.builds.find((b) => b.name === service)) : undefined;
    if (at) return { file: facts.file, line: at.line };
  }
  return { file: environments[0]!.facts.file, line: 1 };
}

/** The folder above `.github/workflows/<file>`, when the file is there. */
function repositoryOf(file: string): string | undefined {
  const dir = dirname(file);
  return basename(dir) === "workflows" && basename(dirname(dir)) === ".github" ? dirname(dirname(dir)) : undefined;
}

/**
 * The module the written registry imports defineConfig from: the package, `gen-workflows`, for a
 * registry written outside this repository (where the package is installed); inside it (which
 * does not install itself) the relative `./generator/config/registry.ts`. Until this tool is
 * installed under the package name, a registry elsewhere imports it by relative path, so it loads.
 */
export function registryImportFrom(outDir: string): string {
  const outside = toPosix(relative(toolRoot(), outDir)).startsWith("..") || isAbsolute(relative(toolRoot(), outDir));
  if (outside && packageName() === PACKAGE_NAME) return PACKAGE_NAME;
  const spec = toPosix(relative(outDir, join(toolRoot(), "generator", "config", "registry.ts")));
  return spec.startsWith(".") ? spec : `./${spec}`;
}

const PACKAGE_NAME = "gen-workflows";

function packageName(): string | undefined {
  try {
    return (JSON.parse(readIfExists(join(toolRoot(), "package.json")) ?? "{}") as { name?: string }).name;
  } catch {
    return undefined;
  }
}

function commandsOfTemplates(texts: Record<TemplateName, string>): Set<string> {
  const out = new Set<string>();
  for (const [name, rel] of Object.entries(TEMPLATE_FILES) as [TemplateName, string][]) {
    for (const step of parseTemplate(texts[name], rel).steps) {
      if (!step.run) continue;
      // Only cluster commands: `exit 1` or `echo` in a template says nothing about a hand-written step.
      for (const c of execute(step.run, 1).commands) if (c.words[0] === "kubectl" || c.words[0] === "helm") out.add(normalizeCommand(c.words));
      // Commands the executor does not reach (inside `if <command>; then`, retry loops) still
      // count: a hand-written step that runs one of them is done by the template.
      for (const m of step.run.matchAll(/\bkubectl\s[^;|&\n]*/g)) out.add(normalizeCommand(m[0].replace(/["']/g, "").trim().split(/\s+/)));
    }
  }
  return out;
}

/**
 * The text report: a summary (counts per section), then each section with one entry per
 * construct kind (its services and lines listed, not repeated); `--format json` has every finding.
 */
function importReport(
  registry: import("../config/registry.ts").Registry,
  diagnostics: readonly ImportDiagnostic[],
  sharedSecrets: number,
  out: string,
  order: DeployOrderReport | undefined,
  handWrittenPhases: Record<string, number>,
): string {
  const groups = groupFindings(diagnostics);
  const built = registry.services.filter((s) => s.image !== false).length;
  const byCode = (code: Diagnostic["code"]) => groups.filter((g) => g.code === code);
  const unmappable = byCode("IMPORT_UNMAPPABLE").length;
  const lines = [`Wrote ${out}: ${registry.services.length} services (${built} built), ${Object.keys(registry.secretGroups).length} secret groups, environments ${Object.keys(registry.environments).join(", ")}.`, ""];
  lines.push("Summary:");
  for (const s of SECTIONS) {
    const list = byCode(s.code);
    if (list.length) lines.push(`  ${String(list.length).padStart(3)}  ${s.title.split(/[;(]/)[0]!.trim()}`);
  }
  for (const s of SECTIONS) {
    const list = byCode(s.code);
    if (!list.length) continue;
    lines.push("", `${s.title} (${list.length}):`, ...list.map((g) => `  ${formatGroup(g).replace(/\n/g, "\n  ")}`));
  }
  const phases = phaseCount(registry.services);
  lines.push("", `Deploy phases: ${phases} (hand-written: ${Object.entries(handWrittenPhases).map(([e, n]) => `${e} ${n}`).join(", ")}).`);
  if (order) {
    lines.push(
      order.source === "manifests"
        ? "Deploy order from the manifests (a service waits for the Kubernetes Services its containers name; --keep-order keeps the hand-written sequence):"
        : "Deploy order: the manifests were not read (--root <repository>), so the steps' order is kept across kinds only; services of one kind deploy in parallel (--keep-order keeps the hand-written sequence).",
    );
    for (const e of order.inferred) lines.push(`  ${e.service} after ${e.dependsOn}: ${e.file}:${e.line}: ${e.text}`);
    if (order.notKept.length) {
      lines.push("Hand-written orderings not kept (nothing in the manifests says so); to keep one, give the service the line shown:");
      for (const n of order.notKept) {
        const after = n.predecessors.length <= 4 ? n.predecessors.join(", ") : `${n.predecessors.slice(0, 3).join(", ")} and ${n.predecessors.length - 3} more`;
        lines.push(`  ${n.service} (${n.file}:${n.line}, after ${after}): dependsOn: ${JSON.stringify(n.restore)}`);
      }
    }
  }
  lines.push(
    "",
    sharedSecrets
      ? `Secrets: the workflows do not say which service reads which secret, so ${sharedSecrets} backend and gateway services get every group (importedSecretGroups). Narrow them to what each service's manifests read, or pass --root <repository> so the import reads the manifests.`
      : "Secrets: each service reads the groups its manifests reference.",
    unmappable
      ? `${unmappable} construct${unmappable === 1 ? "" : "s"} could not be mapped (exit 1). Carry them over, then run \`pnpm gen:workflows --force\`.`
      : "Next: review the `// import:` comments, run `pnpm gen:workflows --force` to replace the hand-written workflows, and commit.",
    "",
  );
  return lines.join("\n");
}

function importJson(out: string, unmappable: boolean, diagnostics: readonly ImportDiagnostic[], order: DeployOrderReport | undefined, phases: { generated: number; handWritten: Record<string, number> }): string {
  const groups = groupFindings(diagnostics);
  return `${JSON.stringify(
    {
      schemaVersion: JSON_SCHEMA_VERSION,
      command: "import",
      status: unmappable ? "written-with-unmappable" : "written",
      registry: out,
      summary: Object.fromEntries(SECTIONS.map((s) => [s.code, groups.filter((g) => g.code === s.code).length])),
      phases,
      ...(order ? { order: { inferred: order.inferred, notKept: order.notKept } } : {}),
      groups: groups.map((g) => ({ code: g.code, kind: g.kind, message: g.first.message, fix: g.first.fix, subjects: g.subjects, count: g.all.length })),
      diagnostics: sortDiagnostics(diagnostics),
    },
    null,
    2,
  )}\n`;
}

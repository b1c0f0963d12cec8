/**
 * `gen:workflows` and `gen:workflows --check`: one code path, so they cannot disagree.
 *
 * Writing is two phases. `prepareGeneration` loads, generates, classifies drift and has GitHub's
 * parser validate every file; it writes nothing and returns either a refusal or the planned
 * changes as a WriteSet. Only then does the caller apply ONE WriteSet (for add-service and
 * --adopt-pins together with their registry and scaffold edits), so any failure leaves every
 * file untouched.
 */
import { join, relative } from "node:path";
import { findDrift, type Drift } from "../check/check.ts";
import { fixCommandFor } from "./fix-command.ts";
import { EXIT, type CliIo, type CommonOptions } from "../cli-types.ts";
import { type Diagnostic, error, formatDiagnosticAnnotation, formatDiagnosticText, hasErrors, JSON_SCHEMA_VERSION, sortDiagnostics, warning } from "../diagnostics.ts";
import { listSupportFiles, listWorkflowFiles, readIfExists, readTemplates, toPosix } from "../io.ts";
import { TEMPLATE_FILES } from "../render/templates.ts";
import { planAll } from "../plan/plan.ts";
import { loadProject, type ProjectPaths } from "./project.ts";
import type { Registry } from "../config/registry.ts";
import { applyWriteSet, findInterruptedWrites, type WriteOp } from "../write-set.ts";
import { dataFileOf } from "../render/support-paths.ts";
import { type DeployData, parseDeployData } from "../runner/data.ts";

export interface GenerateOptions extends CommonOptions {
  check: boolean;
  force: boolean;
}

/** What `gen` would do, decided before anything is written. */
export type Preparation =
  /** The registry or the templates do not load, or the registry does not validate. */
  | { status: "config-error"; paths: ProjectPaths; diagnostics: Diagnostic[] }
  /** Files at generated paths that gen did not write, and no --force. */
  | { status: "unmanaged"; paths: ProjectPaths; diagnostics: Diagnostic[]; blocked: Drift[] }
  /** GitHub's parser rejects a generated file: a generator bug. */
  | { status: "invalid"; paths: ProjectPaths; diagnostics: Diagnostic[]; invalid: Diagnostic[] }
  | { status: "ready"; paths: ProjectPaths; diagnostics: Diagnostic[]; fileCount: number; written: string[]; deleted: string[]; leftovers: string[]; writes: WriteOp[] };

export type Refusal = Exclude<Preparation, { status: "ready" }>;
export type Ready = Extract<Preparation, { status: "ready" }>;

export interface PrepareExtras {
  /** Generate from this registry text (an edit not yet written) instead of the registry file's. */
  registryText?: string;
}

export async function runGenerate(options: GenerateOptions, io: CliIo): Promise<number> {
  if (options.check) {
    const loaded = await classify(options, io);
    if (!("drifts" in loaded)) return reportRefusal(loaded, options, io);
    printDiagnostics(loaded.diagnostics, io, options.format);
    return reportCheck(loaded.drifts, loaded.paths.configFile, loaded.registry, options, io, emitter(options, io, loaded.diagnostics), loaded.onDisk);
  }
  const prepared = await prepareGeneration(options, io);
  if (prepared.status !== "ready") return reportRefusal(prepared, options, io);
  applyWriteSet(prepared.writes);
  return reportWritten(prepared, options, io);
}

/** Loads, generates, classifies drift and validates; writes nothing (but a temporary registry copy, removed again). */
export async function prepareGeneration(options: GenerateOptions, io: CliIo, extras: PrepareExtras = {}): Promise<Preparation> {
  const loaded = await classify(options, io, extras.registryText);
  if (!("drifts" in loaded)) return loaded;
  const { paths, diagnostics, drifts } = loaded;
  const blocked = drifts.filter((d) => d.kind === "unmanaged");
  if (blocked.length && !options.force) return { status: "unmanaged", paths, diagnostics, blocked };
  const toWrite = drifts.filter((d) => d.expected !== undefined);
  const toDelete = drifts.filter((d) => d.kind === "orphan");
  if (toWrite.length) {
    const { validateWorkflow } = await import("../render/validate.ts");
    // GitHub's own parser sees every file before any is written: a rejection is our bug.
    const invalid = (await Promise.all(toWrite.filter((d) => /\.ya?ml$/.test(d.path)).map((d) => validateWorkflow(d.path, d.expected!)))).flat();
    if (invalid.length) return { status: "invalid", paths, diagnostics, invalid };
  }
  return {
    status: "ready",
    paths,
    diagnostics,
    fileCount: loaded.fileCount,
    written: toWrite.map((d) => d.path),
    deleted: toDelete.map((d) => d.path),
    leftovers: loaded.leftovers,
    writes: [
      ...toWrite.map((d) => ({ path: join(paths.root, d.path), content: d.expected! })),
      ...toDelete.map((d) => ({ path: join(paths.root, d.path), delete: true as const })),
      // What an interrupted run left goes with this write set: healed in the same step.
      ...loaded.leftovers.map((rel) => ({ path: join(paths.root, rel), delete: true as const })),
    ],
  };
}

/** gen's messages (and JSON document) for a refusal; returns the exit code. */
export function reportRefusal(p: Refusal, options: GenerateOptions, io: CliIo): number {
  const emit = emitter(options, io, p.diagnostics);
  printDiagnostics(p.diagnostics, io, options.format);
  switch (p.status) {
    case "config-error":
      emit("config-error", options.check ? { drift: [] } : {});
      if (options.format === "text") {
        const files = [...new Set(p.diagnostics.filter((d) => d.severity === "error").map((d) => d.file))].sort();
        io.stderr(`gen:workflows: ${files.join(", ") || p.paths.configFile} ${files.length > 1 ? "have" : "has"} errors; nothing was written. Fix them and run again.\n`);
      }
      return EXIT.usage;
    case "unmanaged":
      emit("unmanaged", { files: p.blocked.map((d) => d.path) });
      io.stderr(
        p.blocked.map((d) => `${d.path}: exists but was not generated by gen:workflows; nothing was written [UNMANAGED_FILE]\n  fix: run \`${fixCommandFor(options, io).gen("--force")}\` to replace it (after \`${fixCommandFor(options, io).subcommand("import", undefined, false)}\` has taken what it holds)`).join("\n") + "\n",
      );
      return EXIT.usage;
    case "invalid":
      emit("internal-error", { diagnostics: p.invalid });
      io.stderr(`${p.invalid.map(formatDiagnosticText).join("\n")}\ngen:workflows: internal error: a generated workflow failed validation; nothing was written.\n`);
      return EXIT.internal;
  }
}

/** gen's messages (and JSON document) once the prepared changes are on disk; returns the exit code. */
export function reportWritten(p: Ready, options: GenerateOptions, io: CliIo): number {
  printDiagnostics(p.diagnostics, io, options.format);
  emitter(options, io, p.diagnostics)(p.written.length || p.deleted.length ? "written" : "unchanged", { written: p.written, deleted: p.deleted });
  if (options.format === "text") {
    if (!p.written.length && !p.deleted.length && !p.leftovers.length) io.stdout(`${p.fileCount} workflows already up to date; nothing written.\n`);
    for (const path of p.written) io.stdout(`wrote ${path}\n`);
    for (const path of p.deleted) io.stdout(`deleted ${path} (no longer produced by ${p.paths.configFile})\n`);
    for (const path of p.leftovers) io.stdout(`removed ${path} (left by an interrupted run)\n`);
  }
  return EXIT.ok;
}

export type Classified = { paths: ProjectPaths; diagnostics: Diagnostic[]; registry: Registry | undefined; fileCount: number; drifts: Drift[]; leftovers: string[]; onDisk: ReadonlyMap<string, string | undefined> };

/** Loads, generates and compares with the disk: the part gen and --check share, so they agree. */
export async function classify(options: GenerateOptions, io: CliIo, registryText?: string): Promise<Classified | Extract<Preparation, { status: "config-error" }>> {
  const { paths, result, diagnostics } = await loadProject(options, io, registryText);
  if (hasErrors(diagnostics)) return { status: "config-error", paths, diagnostics };
  if (result.files.length === 0) {
    const none = error("CONFIG_INVALID", "the registry produces no workflow", { file: paths.configFile, path: "environments", fix: "define at least one environment in environments" });
    return { status: "config-error", paths, diagnostics: [...diagnostics, none] };
  }
  const onDisk = new Map<string, string | undefined>();
  const others = [...listWorkflowFiles(paths.root), ...listSupportFiles(paths.root)];
  for (const p of new Set([...result.files.map((f) => f.path), ...others])) onDisk.set(p, readIfExists(join(paths.root, p)));
  const drifts = findDrift(result.files, onDisk, others);
  // A template GitHub's parser rejects is the user's mistake at its own file and line. Checked
  // whenever a file would be written, by gen and --check alike, so they give the same answer; a
  // tree in sync was generated from these very template texts (the banner hashes them).
  if (drifts.some((d) => d.expected !== undefined)) {
    const bad = await invalidTemplates(paths);
    if (bad.length) return { status: "config-error", paths, diagnostics: [...diagnostics, ...bad] };
  }
  const leftovers = findInterruptedWrites(result.files.map((f) => join(paths.root, f.path))).map((p) => toPosix(relative(paths.root, p)));
  const interrupted = leftovers.map((file) =>
    warning("WRITE_INTERRUPTED", "left by a run that was interrupted while writing the workflows; a file it had not yet replaced is reported as out of date", {
      file,
      fix: `run \`${fixCommandFor(options, io).gen()}\`: it removes the leftover and rewrites what is out of date`,
    }),
  );
  return { paths, diagnostics: [...diagnostics, ...interrupted], registry: result.registry, fileCount: result.files.filter((f) => f.kind !== "support").length, drifts, leftovers, onDisk };
}

async function invalidTemplates(paths: ProjectPaths): Promise<Diagnostic[]> {
  const { validateTemplate } = await import("../render/validate.ts");
  const templates: Record<string, string> = readTemplates(paths.templatesDir).texts ?? {};
  const shownDir = toPosix(relative(paths.root, paths.templatesDir)) || "templates";
  return (await Promise.all(Object.entries(TEMPLATE_FILES).map(([name, rel]) => validateTemplate(`${shownDir}/${rel}`, templates[name] ?? "steps: []\n")))).flat();
}

function emitter(options: GenerateOptions, io: CliIo, diagnostics: readonly Diagnostic[]): (status: string, extra?: Record<string, unknown>) => void {
  return (status, extra = {}) => {
    if (options.format === "json")
      io.stdout(JSON.stringify({ schemaVersion: JSON_SCHEMA_VERSION, command: options.check ? "check" : "gen", status, diagnostics: sortDiagnostics(diagnostics), ...extra }, null, 2) + "\n");
  };
}
async function reportCheck(drifts: Drift[], configFile: string, registry: Registry | undefined, options: GenerateOptions, io: CliIo, emit: (status: string, extra?: Record<string, unknown>) => void, onDisk: ReadonlyMap<string, string | undefined>): Promise<number> {
  if (drifts.length === 0) {
    emit("in-sync", { drift: [] });
    if (options.format === "text") io.stdout("Deploy workflows match the registry.\n");
    if (io.env.GITHUB_ACTIONS === "true" && io.env.GITHUB_STEP_SUMMARY && io.appendFile) {
      const { driftSummaryMarkdown } = await import("../check/report.ts");
      io.appendFile(io.env.GITHUB_STEP_SUMMARY, driftSummaryMarkdown([]));
    }
    return EXIT.ok;
  }
  // Only a drifting tree pays for the diff library and the semantic comparison.
  const report = await import("../check/report.ts");
  const { describeDrift } = await import("../check/semantic-drift.ts");
  // The plans say what each file should do (dependencies, secrets, cronjobs) in registry terms.
  const plans = new Map((registry ? planAll(registry) : []).map((p) => [p.workflowFile, p]));
  const planOfData = new Map([...plans.values()].map((p) => [dataFileOf(p), p]));
  const describe = (d: Drift) => {
    const dataPlan = planOfData.get(d.path);
    if (!dataPlan) return describeDrift(d, plans.get(d.path), committedData(onDisk, d.path));
    // A drifting data file: what the committed workflow does with it.
    return describeDrift(d, dataPlan, parsedData(d.actual), onDisk.get(dataPlan.workflowFile));
  };
  const gen = fixCommandFor(options, io);
  const reports = drifts.map((d) => report.toReport(d, configFile, describe(d), gen));
  emit("drift", { drift: reports });
  if (options.format === "text") {
    const colour = io.isTTY && io.env.NO_COLOR === undefined;
    io.stdout(report.driftText(reports, colour ? report.ANSI : report.NO_COLOR, gen));
  }
  if (io.env.GITHUB_ACTIONS === "true") {
    io.stdout(report.driftAnnotations(reports) + "\n");
    if (io.env.GITHUB_STEP_SUMMARY && io.appendFile) io.appendFile(io.env.GITHUB_STEP_SUMMARY, report.driftSummaryMarkdown(reports, gen));
  }
  return EXIT.drift;
}

/** The runner data file a workflow's runner steps read, as committed (undefined when missing or unreadable). */
function committedData(onDisk: ReadonlyMap<string, string | undefined>, workflowFile: string): DeployData | undefined {
  return parsedData(onDisk.get(dataFileOf({ workflowFile })));
}

function parsedData(text: string | undefined): DeployData | undefined {
  try {
    return text === undefined ? undefined : parseDeployData(text);
  } catch {
    return undefined;
  }
}

export function printDiagnostics(diagnostics: readonly Diagnostic[], io: CliIo, format: "text" | "json"): void {
  if (format === "json" || diagnostics.length === 0) return;
  const sorted = sortDiagnostics(diagnostics);
  io.stderr(sorted.map(formatDiagnosticText).join("\n") + "\n");
  if (io.env.GITHUB_ACTIONS === "true") io.stdout(sorted.map(formatDiagnosticAnnotation).join("\n") + "\n");
}

/**
 * `--check --staged`, the pre-commit check: compares what the commit will hold (the index), not
 * the working tree.
 *
 * Fast path: when the index and the working tree agree on every path that matters (the registry
 * and every spelling of the files it imports, the templates, `.github/`), one `git status` proves
 * it, and the ordinary `--check` of the working tree is the answer: the hook costs one git call
 * more than before. Otherwise the index's version of those paths is checked out into a snapshot
 * folder (`git checkout-index --prefix`) and checked there, so partial staging (`git add -p`) and
 * an unstaged regenerated workflow are judged as they will be committed.
 *
 * Outside a git repository (or when git is missing) the working tree is what there is to check.
 */
import { mkdirSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { type Drift } from "../check/check.ts";
import { registryImports } from "../check/registry-imports.ts";
import { stagedFix } from "../check/staged.ts";
import { stagedState } from "../check/staged-paths.ts";
import { EXIT, type CliIo } from "../cli-types.ts";
import { type Diagnostic, error, formatDiagnosticText, JSON_SCHEMA_VERSION, sortDiagnostics } from "../diagnostics.ts";
import { checkoutIndex, indexedPaths } from "../git-index.ts";
import { readIfExists, removeOnExit, toPosix } from "../io.ts";
import { fixCommandFor } from "./fix-command.ts";
import { classify, type GenerateOptions, printDiagnostics, reportRefusal, runGenerate } from "./generate.ts";
import { resolvePaths } from "./project.ts";

/** A folder (or anything unreadable) is not a file the registry could import. */
function readFileAt(path: string): string | undefined {
  try {
    return readIfExists(path);
  } catch {
    return undefined;
  }
}

export async function runStagedCheck(options: GenerateOptions, io: CliIo): Promise<number> {
  const paths = resolvePaths(options, io.cwd);
  const state = stagedState(paths, io.env, readFileAt);
  // Outside git, or the index agrees with the working tree on every path that matters: the
  // working tree's check is the answer.
  if (!state || state.unstaged.length === 0) return runGenerate(options, io);
  const { top, configRel, rootRel, specs, unstaged, worktreeImports } = state;

  const indexed = indexedPaths(top, [configRel], io.env);
  if (indexed !== undefined && !indexed.includes(configRel)) {
    const d = error("CONFIG_NOT_FOUND", `${paths.configFile} is not staged: the commit would not contain the registry`, {
      file: paths.configFile,
      fix: `\`git add ${toPosix(relative(io.cwd, paths.configPath)) || configRel}\`, or commit without it only if the generated workflows go too`,
    });
    if (options.format === "json") io.stdout(JSON.stringify({ schemaVersion: JSON_SCHEMA_VERSION, command: "check", status: "config-error", staged: true, diagnostics: [d], drift: [] }, null, 2) + "\n");
    else io.stderr(formatDiagnosticText(d) + "\n");
    return EXIT.usage;
  }

  const snapshot = snapshotFolder(top);
  const remove = removeOnExit(snapshot);
  try {
    const materialised = materialiseIndex(top, snapshot, specs, configRel, io.env);
    if (!materialised) return runGenerate(options, io);
    const staged = { ...options, config: join(snapshot, configRel), root: join(snapshot, rootRel) };
    const loaded = await classify(staged, io);
    const unstagedInputs = unstaged.filter((p) => materialised.registryFiles.includes(p) || worktreeImports.files.includes(p));
    if (!("drifts" in loaded)) {
      if (options.format === "text") io.stderr(`gen:workflows: checked the staged snapshot (the git index) of ${paths.configFile}${unstagedInputs.length ? `; unstaged changes in ${unstagedInputs.join(", ")} are not part of it` : ""}.\n`);
      return reportRefusal(loaded, options, io);
    }
    printDiagnostics(loaded.diagnostics, io, options.format);
    return reportStaged(loaded.drifts, { ...loaded, diagnostics: sortDiagnostics(loaded.diagnostics), configFile: paths.configFile, root: paths.root, configPath: paths.configPath, unstagedInputs }, options, io);
  } finally {
    remove();
  }
}

/**
 * Inside the repository's node_modules/.cache when it has node_modules, so the staged registry's
 * package imports (`gen-workflows` itself) resolve exactly as the working tree's do; else in the
 * system's temporary folder. A private folder per run, removed afterwards (the registry cache is
 * content-addressed, so nothing is lost).
 */
function snapshotFolder(top: string): string {
  const cache = join(top, "node_modules", ".cache", "gen-workflows");
  try {
    if (statSync(join(top, "node_modules")).isDirectory()) {
      mkdirSync(cache, { recursive: true });
      return mkdtempSync(join(cache, "staged-"));
    }
  } catch {
    // no node_modules, or an unwritable one: the temporary folder
  }
  return mkdtempSync(join(tmpdir(), "gen-workflows-staged-"));
}

/**
 * Checks out the index's version of the relevant paths, then of whatever the STAGED registry
 * imports that the working tree's did not, until nothing new appears. Undefined when git fails.
 */
function materialiseIndex(top: string, snapshot: string, specs: readonly string[], configRel: string, env: CliIo["env"]): { registryFiles: string[] } | undefined {
  const dest = `${snapshot}/`;
  const done = new Set<string>();
  let pending = [...specs];
  for (let round = 0; round < 16 && pending.length; round++) {
    const inIndex = indexedPaths(top, pending, env);
    if (inIndex === undefined) return undefined;
    const fresh = inIndex.filter((p) => !done.has(p));
    if (!checkoutIndex(top, fresh, dest, env)) return undefined;
    fresh.forEach((p) => done.add(p));
    pending.forEach((p) => done.add(p));
    const stagedImports = registryImports(configRel, (p) => readFileAt(join(snapshot, p)));
    pending = stagedImports.candidates.filter((c) => !done.has(c));
  }
  return { registryFiles: registryImports(configRel, (p) => readFileAt(join(snapshot, p))).files };
}

async function reportStaged(
  drifts: Drift[],
  ctx: { diagnostics: Diagnostic[]; configFile: string; configPath: string; root: string; registry: import("../config/registry.ts").Registry | undefined; unstagedInputs: string[] },
  options: GenerateOptions,
  io: CliIo,
): Promise<number> {
  const json = (status: string, extra: Record<string, unknown>): void => {
    if (options.format === "json") io.stdout(JSON.stringify({ schemaVersion: JSON_SCHEMA_VERSION, command: "check", status, staged: true, diagnostics: ctx.diagnostics, ...extra }, null, 2) + "\n");
  };
  if (drifts.length === 0) {
    json("in-sync", { drift: [] });
    if (options.format === "text") io.stdout("Staged deploy workflows match the staged registry.\n");
    return EXIT.ok;
  }
  const report = await import("../check/report.ts");
  const { describeDrift } = await import("../check/semantic-drift.ts");
  const { planAll } = await import("../plan/plan.ts");
  const plans = new Map((ctx.registry ? planAll(ctx.registry) : []).map((p) => [p.workflowFile, p]));
  const cmd = fixCommandFor(options, io);
  const worktree = new Map(drifts.map((d) => [d.path, readFileAt(join(ctx.root, d.path))]));
  const shown = (p: string): string => toPosix(relative(io.cwd, join(ctx.root, p))) || p;
  const fix = stagedFix({ drifts, worktree, shown, registry: toPosix(relative(ctx.root, ctx.configPath)), unstagedInputs: ctx.unstagedInputs, cmd });
  const reports = drifts.map((d) => {
    const r = report.toReport(d, ctx.configFile, describeDrift(d, plans.get(d.path)), cmd);
    return { ...r, remedy: fix.remedies.get(d.path) ?? r.remedy };
  });
  json("drift", { drift: reports, fix: fix.closing });
  if (options.format === "text") {
    const colour = io.isTTY && io.env.NO_COLOR === undefined;
    io.stdout(`Checked what this commit holds (the git index), not the working tree.\n`);
    io.stdout(report.driftText(reports, colour ? report.ANSI : report.NO_COLOR, cmd, fix.closing));
  }
  return EXIT.drift;
}

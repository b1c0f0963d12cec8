/**
 * Resolve where things are (registry, repository root, templates), load them, and run the pure
 * generator. Shared by every command that needs the generated workflows.
 */
import { existsSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import type { CliIo, CommonOptions } from "../cli-types.ts";
import { type Diagnostic, error } from "../diagnostics.ts";
import { generate, type GenerateResult } from "../generate.ts";
import { loadRegistryModule, readIfExists, readTemplates, removeOnExit, toPosix, writeAtomic } from "../io.ts";
import { locateInRegistry } from "../config/source-lines.ts";
import { resolvePaths, type ProjectPaths } from "./paths.ts";
import { describeThrown } from "../describe.ts";
import { reportStuckAndExit, systemErrorDiagnostic } from "../error-boundary.ts";
import { type Deadline, deadlineMs, synchronously, TIMED_OUT, timeoutDiagnostic } from "../config/load-deadline.ts";
import { snapshotRegistry } from "../config/snapshot.ts";

export { resolvePaths, type ProjectPaths } from "./paths.ts";

export type LoadedProject = { paths: ProjectPaths; result: GenerateResult; diagnostics: Diagnostic[] };

/**
 * Loads the registry and templates and generates. With `registryText` (an edit not yet written,
 * from add-service or --adopt-pins) the text is loaded from a temporary file beside the registry,
 * so its relative imports resolve, named `.<registry>.<pid>.tmp.ts` (ignored by git) and removed
 * again; messages and banners still name the registry itself.
 */
export async function loadProject(options: CommonOptions, io: CliIo, registryText?: string): Promise<LoadedProject> {
  const paths = resolvePaths(options, io.cwd);
  if (!existsSync(paths.root)) {
    const missing = [error("USAGE", `--root ${options.root ?? paths.root}: no such folder`, { file: options.root ?? paths.root, fix: "pass the repository's folder (the one holding .github/workflows)" })];
    return { paths, result: { files: [], diagnostics: missing }, diagnostics: missing };
  }
  const loaded = await loadWithinDeadline(paths, options, io, registryText);
  if (loaded.value === undefined) return { paths, result: { files: [], diagnostics: loaded.diagnostics }, diagnostics: loaded.diagnostics };
  const shownTemplatesDir = toPosix(relative(paths.root, paths.templatesDir)) || "templates";
  const templates = readTemplates(paths.templatesDir, shownTemplatesDir);
  if (!templates.texts) return { paths, result: { files: [], diagnostics: templates.diagnostics }, diagnostics: templates.diagnostics };
  const result = generate({ registry: loaded.value, configFile: paths.configFile, templates: templates.texts, templatesDir: shownTemplatesDir });
  if (result.diagnostics.length === 0) return { paths, result, diagnostics: [] };
  // Registry problems get a line too, so an annotation marks it in the pull request.
  const source = registryText ?? readIfExists(paths.configPath) ?? "";
  const diagnostics = locateInRegistry(result.diagnostics, paths.configFile, source, loaded.value);
  return { paths, result: { ...result, diagnostics }, diagnostics };
}

/**
 * Runs the registry's code (its modules, then every getter while its value is read once into
 * plain data) under a deadline (config/load-deadline.ts): a registry that never finishes is a
 * diagnostic, not a hang. What comes back is plain data; nothing later runs the user's code again.
 */
async function loadWithinDeadline(paths: ProjectPaths, options: CommonOptions, io: CliIo, registryText: string | undefined): ReturnType<typeof loadRegistryModule> {
  const ms = deadlineMs(io.env);
  const timedOut = timeoutDiagnostic(paths.configFile, ms);
  const deadline: Deadline = { ms, onStuck: () => reportStuckAndExit(timedOut, io, options.format) };
  const loaded = await loadRegistry(paths, io.cwd, registryText, deadline);
  if (loaded.value === undefined) return loaded;
  const plain = synchronously(ms, () => snapshotRegistry(loaded.value, paths.configFile));
  if (plain === TIMED_OUT) return { diagnostics: [timedOut] };
  if (!plain.diagnostics.length) return { ...loaded, value: plain.data };
  const source = registryText ?? readIfExists(paths.configPath) ?? "";
  return { diagnostics: locateInRegistry(plain.diagnostics, paths.configFile, source, plain.data) };
}

/**
 * The loader's answer, or its failure as a diagnostic: whatever it throws (the registry's own
 * `throw null`, an unwritable cache, esbuild failing to start) is the registry's or the
 * environment's problem, never a crash of this tool.
 */
async function loadRegistry(paths: ProjectPaths, cwd: string, registryText: string | undefined, deadline: Deadline): ReturnType<typeof loadRegistryModule> {
  try {
    const loaded = registryText === undefined ? await loadRegistryModule(paths.configPath, paths.configFile, deadline, paths.root) : await loadRegistryText(paths, registryText, deadline);
    if (loaded.value !== undefined || loaded.diagnostics.length) return loaded;
    // No value and no word why (an empty file compiles to nothing): still the user's to fix.
    return { diagnostics: [error("CONFIG_NO_DEFAULT_EXPORT", "the registry exports nothing (is the file empty?)", { file: paths.configFile, fix: "end the file with `export default defineConfig({ … })`" })] };
  } catch (e) {
    const environment = systemErrorDiagnostic(e, cwd);
    if (environment) return { diagnostics: [{ ...environment, message: `loading the registry: ${environment.message}` }] };
    return { diagnostics: [error("CONFIG_LOAD_FAILED", `the registry could not be loaded: ${describeThrown(e)}`, { file: paths.configFile, fix: "fix the error in the registry's code" })] };
  }
}

async function loadRegistryText(paths: ProjectPaths, registryText: string, deadline: Deadline): ReturnType<typeof loadRegistryModule> {
  const probe = join(dirname(paths.configPath), `.${basename(paths.configPath, ".ts")}.${process.pid}.tmp.ts`);
  const remove = removeOnExit(probe);
  try {
    writeAtomic(probe, registryText);
    return await loadRegistryModule(probe, paths.configFile, deadline, paths.root);
  } finally {
    remove();
  }
}

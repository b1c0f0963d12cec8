/**
 * The only module that touches the filesystem: load the registry, read templates and generated
 * files, write atomically. Everything else is data in, data out.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, sep } from "node:path";
import { writeFileAtomic } from "./atomic-file.ts";
import { BUILD_ID } from "./build/build-id.ts";
import { loadRegistry, type RegistryLoad } from "./config/load-registry.ts";
import type { Deadline } from "./config/load-deadline.ts";
import { type Diagnostic, error } from "./diagnostics.ts";
import { noteBytesHash, noteListing, noteText, noteUnrepeatable } from "./read-ledger.ts";
import { TEMPLATE_FILES, type TemplateName } from "./render/template-files.ts";

export function toPosix(p: string): string {
  return p.split(sep).join("/");
}

/**
 * Where compiled registries (and the warm check's records) are kept, best first: the
 * repository's own `node_modules/.cache/gen-workflows` when it has a node_modules, so the
 * registry's package imports resolve from the repository as they would for the registry itself;
 * then a per-user cache folder; then the temp folder. Never inside the installed tool, and never a
 * folder found by walking further up, which could be a stranger's `node_modules`.
 */
export function cacheDirs(repoRoot: string | undefined, env: Readonly<Record<string, string | undefined>> = process.env): string[] {
  const dirs: string[] = [];
  if (repoRoot && existsSync(join(repoRoot, "node_modules"))) dirs.push(join(repoRoot, "node_modules", ".cache", "gen-workflows"));
  const home = env.HOME ?? env.USERPROFILE;
  if (env.XDG_CACHE_HOME) dirs.push(join(env.XDG_CACHE_HOME, "gen-workflows"));
  else if (process.platform === "win32" && env.LOCALAPPDATA) dirs.push(join(env.LOCALAPPDATA, "gen-workflows", "cache"));
  else if (process.platform === "darwin" && home) dirs.push(join(home, "Library", "Caches", "gen-workflows"));
  else if (home) dirs.push(join(home, ".cache", "gen-workflows"));
  const uid = typeof process.getuid === "function" ? process.getuid() : "user";
  dirs.push(join(tmpdir(), `gen-workflows-cache-${uid}`));
  return dirs;
}

/**
 * The running tool's public entry, which a registry's `import … from "gen-workflows"` binds to:
 * `index.mjs` beside the bundle (dist/ or the launcher's bundle), `index.ts` beside this file
 * when running from source.
 */
function toolEntryUrl(): string {
  return new URL(import.meta.url.endsWith(".ts") ? "./index.ts" : "./index.mjs", import.meta.url).href;
}

function readSourceFile(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT" || (e as NodeJS.ErrnoException).code === "EISDIR" || (e as NodeJS.ErrnoException).code === "ENOTDIR") return undefined;
    throw e;
  }
}

/** Loads the registry's default export through the compiled-module cache (config/load-registry.ts). */
export async function loadRegistryModule(configPath: string, shownAs: string, deadline: Deadline, repoRoot?: string): Promise<RegistryLoad> {
  if (!existsSync(configPath))
    return {
      diagnostics: [error("CONFIG_NOT_FOUND", `registry file not found: ${configPath}`, { file: shownAs, fix: "create services.config.ts, or pass --config <file>" })],
    };
  const loaded = await loadRegistry(configPath, shownAs, { cacheDirs: cacheDirs(repoRoot), toolEntryUrl: toolEntryUrl(), toolBuild: BUILD_ID ?? "source", readSource: readSourceFile, deadline });
  for (const [path, hash] of Object.entries(loaded.inputs ?? {})) noteBytesHash(path, hash);
  if (!loaded.repeatable) noteUnrepeatable();
  return loaded;
}

/** `shownDir`: the templates folder as messages name it (relative to the repository root). */
export function readTemplates(templatesDir: string, shownDir = templatesDir): { texts?: Record<TemplateName, string>; diagnostics: Diagnostic[] } {
  const texts = {} as Record<TemplateName, string>;
  const diagnostics: Diagnostic[] = [];
  for (const [name, rel] of Object.entries(TEMPLATE_FILES) as [TemplateName, string][]) {
    const file = join(templatesDir, rel);
    if (!existsSync(file)) {
      diagnostics.push(error("TEMPLATE_NOT_FOUND", `template not found: ${file}`, { file, fix: "restore the template (`git checkout -- templates/`), or create it with `steps: []`" }));
      continue;
    }
    const read = readTemplateText(file, `${toPosix(shownDir)}/${rel}`);
    if (typeof read === "string") {
      texts[name] = read;
      noteText(file, read);
    }
    else diagnostics.push(read);
  }
  return diagnostics.length ? { diagnostics } : { texts, diagnostics };
}

/**
 * A template's text, or why it cannot be one: a folder at its path, or bytes that are not UTF-8
 * (decoded leniently they would become U+FFFD and be generated into the workflow unnoticed).
 */
function readTemplateText(path: string, file: string): string | Diagnostic {
  if (!statSync(path).isFile())
    return error("PATH_NOT_A_FILE", "is a folder, not a file: a template belongs here", { file, fix: "remove or rename the folder, and restore the template (`git checkout -- templates/`)" });
  const bytes = readFileSync(path);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    const { line, column } = firstInvalidUtf8(bytes);
    return error("TEMPLATE_INVALID", "is not valid UTF-8 text", { file, line, column, fix: "save the template as UTF-8 (the byte at this position is not)" });
  }
}

/** Line and column (1-based, in characters) of the first byte that is not valid UTF-8. */
function firstInvalidUtf8(bytes: Buffer): { line: number; column: number } {
  const bad = firstInvalidUtf8Offset(bytes);
  const lineStart = bytes.lastIndexOf(10, bad - 1) + 1;
  let line = 1;
  for (let i = 0; i < lineStart; i++) if (bytes[i] === 10) line++;
  return { line, column: bytes.subarray(lineStart, bad).toString("utf8").length + 1 };
}

/** One linear pass of the UTF-8 rules (RFC 3629): lead byte, continuation bytes, no overlongs or surrogates. */
function firstInvalidUtf8Offset(bytes: Buffer): number {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    const n = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (n < 0) return i;
    const second = bytes[i + 1];
    if (n > 0) {
      const lo = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
      const hi = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
      if (second === undefined || second < lo || second > hi) return i;
    }
    for (let k = 2; k <= n; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
    }
    i += n + 1;
  }
  return bytes.length;
}

/** The file's text, or undefined when it does not exist. */
export function readIfExists(path: string): string | undefined {
  if (!existsSync(path)) {
    noteText(path, undefined);
    return undefined;
  }
  try {
    const text = readFileSync(path, "utf8");
    noteText(path, text);
    return text;
  } catch (e) {
    // EISDIR from a read names no path; the error boundary's message needs it.
    if (e instanceof Error && (e as NodeJS.ErrnoException).path === undefined) (e as NodeJS.ErrnoException).path = path;
    throw e;
  }
}

/** Workflow files under `.github/workflows` (relative paths), sorted. */
export function listWorkflowFiles(root: string): string[] {
  const dir = join(root, ".github", "workflows");
  const names = existsSync(dir) ? workflowNames(readdirSync(dir)) : [];
  noteListing(dir, names);
  return names.map((f) => `.github/workflows/${f}`);
}

/** Of a `.github/workflows` listing, the workflow files, sorted (shared with the warm check). */
export function workflowNames(entries: string[]): string[] {
  return entries.filter((f) => /\.ya?ml$/.test(f)).sort();
}

/** Generated support files under `.github/deploy` (runner bundle, data files), sorted: orphans are found among them. */
export function listSupportFiles(root: string): string[] {
  const dir = join(root, ".github", "deploy");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /\.(mjs|jsonc)$/.test(f))
    .sort()
    .map((f) => `.github/deploy/${f}`);
}

/** Write to a temporary file in the same folder, then rename: readers never see half a file. */
export function writeAtomic(path: string, content: string): void {
  writeFileAtomic(path, content);
}

export function removeFile(path: string): void {
  rmSync(path, { force: true });
}

/**
 * Removes `path` (a file, or a folder with everything in it) when the returned function is called,
 * or when the process exits first: a registry stuck in a loop ends the process from the stuck
 * thread (config/load-deadline.ts), and no `finally` runs then.
 */
export function removeOnExit(path: string): () => void {
  const remove = (): void => {
    try {
      rmSync(path, { recursive: true, force: true });
    } catch {
      // best effort on the way out
    }
  };
  process.once("exit", remove);
  return () => {
    process.removeListener("exit", remove);
    rmSync(path, { recursive: true, force: true });
  };
}

/** Names of the `.yaml`/`.yml` files directly in `dir`, sorted; undefined when it is not a folder. */
export function listYamlFiles(dir: string): string[] | undefined {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
      .map((e) => e.name)
      .sort();
  } catch {
    return undefined;
  }
}

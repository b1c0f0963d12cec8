/**
 * The compiled registry between runs, so a run whose registry did not change skips the
 * transpiler. Rules that keep it from ever answering for another text than the one on disk:
 *
 * - An entry is one file, written once by rename: the hash of every source file's bytes that were
 *   compiled, and the compiled modules themselves. A kill leaves the old entry or the new one.
 * - On read, every source file is hashed again and must match; the entry carries a checksum of
 *   its own text, and every module's name must be the hash of its code. Any doubt is a miss.
 * - Modules are materialized as files named by the hash of their code (so a name is one text,
 *   whoever writes it) before the entry that names them; Node imports those files.
 * - A folder that cannot be written is skipped for the next one; with none writable the modules
 *   are imported as data: URLs. A cache problem never fails a run.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { ReadSource } from "./load-registry.ts";
import { writeFileAtomic } from "../atomic-file.ts";

export interface CompiledModule {
  /** JavaScript; local imports name other modules as `./<name>.mjs`. */
  code: string;
  /** Names of the modules it imports. */
  deps: string[];
  /** Whether its value depends on its text alone (load-registry.ts, UNREPEATABLE). */
  repeatable: boolean;
}

export interface CompiledGraph {
  /** Name of the registry's own module. */
  entry: string;
  /** Absolute source path -> sha256 of the bytes compiled. */
  sources: Record<string, string>;
  /** Module name (sha256 of its code) -> module. */
  modules: Record<string, CompiledModule>;
}

interface Entry extends CompiledGraph {
  format: 2;
  compiler: string;
  toolEntryUrl: string;
  configPath: string;
}

const sha = (bytes: string | Buffer): string => createHash("sha256").update(bytes).digest("hex");

function entryFile(dir: string, configPath: string): string {
  return join(dir, `registry-${sha(configPath).slice(0, 24)}.json`);
}

/** The cached graph for this registry when every check passes, else undefined. */
export function readRegistryCache(dirs: string[], configPath: string, compiler: string, toolEntryUrl: string, readSource: ReadSource): CompiledGraph | undefined {
  for (const dir of dirs) {
    const graph = readEntry(entryFile(dir, configPath), configPath, compiler, toolEntryUrl, readSource);
    if (graph) return graph;
  }
  return undefined;
}

function readEntry(file: string, configPath: string, compiler: string, toolEntryUrl: string, readSource: ReadSource): CompiledGraph | undefined {
  try {
    const text = readFileSync(file, "utf8");
    const newline = text.indexOf("\n");
    const body = text.slice(newline + 1);
    if (newline < 0 || text.slice(0, newline) !== sha(body)) return undefined;
    const entry = JSON.parse(body) as Entry;
    if (entry.format !== 2 || entry.compiler !== compiler || entry.toolEntryUrl !== toolEntryUrl || entry.configPath !== configPath) return undefined;
    if (!Object.hasOwn(entry.modules, entry.entry)) return undefined;
    for (const [name, mod] of Object.entries(entry.modules)) if (sha(mod.code) !== name || !mod.deps.every((d) => Object.hasOwn(entry.modules, d))) return undefined;
    for (const [path, hash] of Object.entries(entry.sources)) {
      const bytes = readSource(path);
      if (bytes === undefined || sha(bytes) !== hash) return undefined;
    }
    return { entry: entry.entry, sources: entry.sources, modules: entry.modules };
  } catch {
    return undefined;
  }
}

/** Records the graph; best effort (an unwritable cache is no cache). */
export function writeRegistryCache(dir: string, configPath: string, compiler: string, toolEntryUrl: string, graph: CompiledGraph): void {
  const entry: Entry = { format: 2, compiler, toolEntryUrl, configPath, entry: graph.entry, sources: graph.sources, modules: graph.modules };
  const body = JSON.stringify(entry);
  try {
    writeFileAtomic(entryFile(dir, configPath), `${sha(body)}\n${body}`);
  } catch {
    return; // no cache this time
  }
  prune(join(dir, "modules"), new Set(Object.keys(graph.modules).map((name) => `${name}.mjs`)));
}

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;

/**
 * Every registry edit leaves a compiled module behind: those unused for a week go, and temporary
 * files a killed run left. A module still named by some entry is simply written again by its
 * next run (materialize), so pruning can cost a rewrite, never a wrong or failed load.
 */
function prune(modulesDir: string, keep: Set<string>): void {
  const now = Date.now();
  try {
    for (const name of readdirSync(modulesDir)) {
      if (keep.has(name)) continue;
      const path = join(modulesDir, name);
      try {
        const age = now - statSync(path).mtimeMs;
        if (age > (name.endsWith(".tmp") ? HOUR_MS : WEEK_MS)) rmSync(path, { force: true });
      } catch {
        // removed by a concurrent run
      }
    }
  } catch {
    // best effort
  }
}

/**
 * Puts every module of the graph where Node can import it: the first folder that takes them
 * (a module already there is kept when its bytes hash to its name), else data: URLs.
 */
export function materialize(dirs: string[], graph: CompiledGraph): { dir?: string; entryUrl: string } {
  for (const dir of dirs) {
    try {
      const modulesDir = join(dir, "modules");
      mkdirSync(modulesDir, { recursive: true });
      for (const [name, mod] of Object.entries(graph.modules)) {
        const file = join(modulesDir, `${name}.mjs`);
        if (!hasHash(file, name)) writeFileAtomic(file, mod.code);
        else keepFresh(file);
      }
      return { dir, entryUrl: pathToFileURL(join(modulesDir, `${graph.entry}.mjs`)).href };
    } catch {
      // try the next folder
    }
  }
  return { entryUrl: dataUrl(graph, graph.entry, new Map()) };
}

/** A module in use is touched once a day, so pruning (a week unused) never removes it under a running import. */
function keepFresh(file: string): void {
  try {
    if (Date.now() - statSync(file).mtimeMs > 24 * HOUR_MS) utimesSync(file, new Date(), new Date());
  } catch {
    // best effort
  }
}

function hasHash(file: string, name: string): boolean {
  try {
    return sha(readFileSync(file)) === name;
  } catch {
    return false;
  }
}

/** A module as a data: URL whose imports are data: URLs too (package imports other than the tool's own cannot resolve from one). */
function dataUrl(graph: CompiledGraph, name: string, done: Map<string, string>): string {
  const known = done.get(name);
  if (known) return known;
  const mod = graph.modules[name]!;
  let code = mod.code;
  for (const dep of mod.deps) code = code.split(JSON.stringify(`./${dep}.mjs`)).join(JSON.stringify(dataUrl(graph, dep, done)));
  const url = `data:text/javascript;base64,${Buffer.from(code).toString("base64")}`;
  done.set(name, url);
  return url;
}


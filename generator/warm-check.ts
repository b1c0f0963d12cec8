/**
 * The warm `--check`: answers "in sync" without loading the pipeline when nothing it read last
 * time has changed. A passing check records every input it was given (the registry's files by the
 * bytes compiled, the templates, the `.github/workflows` listing and each workflow's text: see
 * read-ledger.ts) with what it printed; a later check with the same arguments and the same tool
 * build hashes the same files again and, only when every hash and the listing match, prints the
 * same output. Any difference, a missing or damaged record, or a registry that may depend on
 * something else (read-ledger `complete`) runs the full check. Only passing checks are recorded:
 * drift and errors always come from the pipeline.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "./atomic-file.ts";
import { BUILD_ID } from "./build/build-id.ts";
import { resolvePaths, type ProjectPaths } from "./commands/paths.ts";
import { cacheDirs, workflowNames } from "./io.ts";
import { hashBytes, hashText, type ReadLedger } from "./read-ledger.ts";


export interface WarmRequest {
  key: string;
  paths: ProjectPaths;
  dirs: string[];
}

interface WarmRecord {
  format: 1;
  key: string;
  files: [path: string, hash: string | null][];
  listings: [dir: string, names: string[]][];
  stdout: string;
  stderr: string;
}

const sha = (text: string): string => createHash("sha256").update(text).digest("hex");

/** The request when argv is a plain `--check` (only --config, --root, --format besides) outside GitHub Actions. */
export function warmRequest(argv: readonly string[], cwd: string, env: Readonly<Record<string, string | undefined>>, isTTY: boolean): WarmRequest | undefined {
  if (BUILD_ID === undefined || env.GITHUB_ACTIONS === "true") return undefined;
  const options: { config?: string; root?: string; format: string } = { format: "text" };
  let check = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--check" && !check) check = true;
    else if (arg === "--config" || arg === "--root" || arg === "--format") {
      const value = argv[++i];
      if (value === undefined || value.startsWith("-")) return undefined;
      options[arg.slice(2) as "config" | "root" | "format"] = value;
    } else return undefined;
  }
  if (!check || (options.format !== "text" && options.format !== "json")) return undefined;
  const paths = resolvePaths({ config: options.config, root: options.root, format: options.format }, cwd);
  const key = sha(JSON.stringify({ build: BUILD_ID, options, paths, colour: isTTY && env.NO_COLOR === undefined }));
  return { key, paths, dirs: cacheDirs(paths.root, env) };
}

const recordFile = (dir: string, key: string): string => join(dir, `check-${key.slice(0, 24)}.json`);

/** Prints the recorded output and returns true when every recorded input is unchanged. */
export function replayWarmCheck(request: WarmRequest, out: { stdout(text: string): void; stderr(text: string): void }): boolean {
  for (const dir of request.dirs) {
    const record = readRecord(recordFile(dir, request.key), request.key);
    if (!record) continue;
    if (!inputsUnchanged(record)) return false;
    if (record.stdout) out.stdout(record.stdout);
    if (record.stderr) out.stderr(record.stderr);
    return true;
  }
  return false;
}

function readRecord(file: string, key: string): WarmRecord | undefined {
  try {
    const text = readFileSync(file, "utf8");
    const newline = text.indexOf("\n");
    const body = text.slice(newline + 1);
    if (newline < 0 || text.slice(0, newline) !== sha(body)) return undefined;
    const record = JSON.parse(body) as WarmRecord;
    return record.format === 1 && record.key === key ? record : undefined;
  } catch {
    return undefined;
  }
}

function inputsUnchanged(record: WarmRecord): boolean {
  try {
    for (const [path, hash] of record.files) if (currentHash(path, hash) !== hash) return false;
    for (const [dir, names] of record.listings) {
      const now = listing(dir);
      if (now.length !== names.length || now.some((n, i) => n !== names[i])) return false;
    }
    return true;
  } catch {
    return false;
  }
}

function currentHash(path: string, recorded: string | null): string | null {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
  // Hashed the way the pipeline saw it: the registry's files as bytes, the others as text.
  return recorded?.startsWith("bytes:") ? hashBytes(bytes) : hashText(bytes.toString("utf8"));
}

function listing(dir: string): string[] {
  try {
    return workflowNames(readdirSync(dir));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw e;
  }
}

/** Records a passing check's inputs and output; best effort (an unwritable cache is no cache). */
export function recordWarmCheck(request: WarmRequest, ledger: ReadLedger, output: { stdout: string; stderr: string }): void {
  if (!ledger.complete || ledger.files.size === 0) return;
  const record: WarmRecord = {
    format: 1,
    key: request.key,
    files: [...ledger.files].sort(([a], [b]) => (a < b ? -1 : 1)),
    listings: [...ledger.listings].sort(([a], [b]) => (a < b ? -1 : 1)),
    ...output,
  };
  const body = JSON.stringify(record);
  for (const dir of request.dirs) {
    try {
      writeFileAtomic(recordFile(dir, request.key), `${sha(body)}\n${body}`);
      return;
    } catch {
      // not writable: the next cache folder
    }
  }
}

/**
 * Several file changes applied as one: either every file gets its new content (and every
 * deletion happens), or, as far as the filesystem lets us, none does.
 *
 * 1. Every new content is written to a temporary file beside its target (same folder, so the
 *    rename cannot cross filesystems), and every target is checked to be a file or absent.
 * 2. Only then are the temporary files renamed into place and the deletions made.
 * 3. A failure in step 1 removes every temporary file (and the folders step 1 created) and
 *    rethrows: nothing on disk changed. A failure in step 2 (rare: a rename onto a prepared,
 *    checked target) puts back what the renames already replaced, then rethrows.
 *
 * Temporary files are named `<target>.<pid>.tmp`, which the repository's `.gitignore` covers.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";

export type WriteOp = { path: string; content: string } | { path: string; delete: true };

interface Prepared {
  op: WriteOp;
  /** The target's content before, undefined when it did not exist. */
  previous: Buffer | undefined;
  /** The temporary file holding the new content (writes only). */
  tmp?: string;
}

/** Absolute target paths; applied in order (writes and deletions alike), after all are prepared. */
export function applyWriteSet(ops: readonly WriteOp[]): void {
  const seen = new Set<string>();
  for (const op of ops) {
    if (seen.has(op.path)) throw new Error(`write set names ${op.path} twice`);
    seen.add(op.path);
  }
  const prepared: Prepared[] = [];
  const createdDirs: string[] = [];
  try {
    for (const op of ops) {
      const previous = readTarget(op.path);
      if ("delete" in op) {
        prepared.push({ op, previous });
        continue;
      }
      const made = mkdirSync(dirname(op.path), { recursive: true });
      if (made !== undefined) createdDirs.push(made);
      const tmp = `${op.path}.${process.pid}.tmp`;
      // Recorded before writing: a half-written temporary file is removed too.
      prepared.push({ op, previous, tmp });
      writeFileSync(tmp, op.content);
    }
  } catch (e) {
    for (const p of prepared) if (p.tmp) rmSync(p.tmp, { force: true });
    removeEmptyFolders(createdDirs);
    throw e;
  }

  let done = 0;
  try {
    for (const p of prepared) {
      if (p.tmp) renameSync(p.tmp, p.op.path);
      else rmSync(p.op.path, { force: true });
      done++;
    }
  } catch (e) {
    for (const p of prepared.slice(done)) if (p.tmp) rmSync(p.tmp, { force: true });
    for (const p of prepared.slice(0, done).reverse()) restore(p);
    removeEmptyFolders(createdDirs);
    throw e;
  }
}

/** The target's bytes, or undefined when absent; throws when it is a folder (or anything but a file). */
function readTarget(path: string): Buffer | undefined {
  let stat;
  try {
    stat = statSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  if (!stat.isFile()) throw Object.assign(new Error(`cannot write ${path}: it exists and is not a regular file`), { code: "EISDIR" });
  return readFileSync(path);
}

/** Best effort: puts back a target the rename phase already replaced or deleted. */
function restore(p: Prepared): void {
  try {
    if (p.previous === undefined) rmSync(p.op.path, { force: true });
    else {
      const tmp = `${p.op.path}.${process.pid}.restore.tmp`;
      writeFileSync(tmp, p.previous);
      renameSync(tmp, p.op.path);
    }
  } catch {
    // The original error is the one to report; the rename phase failing at all means the disk
    // is in trouble, and the caller's message says so.
  }
}

/** The folders this write set created, where they are (still) empty: never anyone else's files. */
function removeEmptyFolders(dirs: readonly string[]): void {
  const prune = (dir: string): void => {
    try {
      for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) prune(join(dir, e.name));
      rmdirSync(dir);
    } catch {
      // Not empty, or already gone: leave it.
    }
  };
  for (const dir of [...dirs].reverse()) prune(dir);
}

/**
 * Temporary files a write set (or an atomic write) left beside `targets` because its process was
 * killed before it finished: `<target>.<pid>.tmp` (and `.restore.tmp`) whose process is gone. A
 * kill between two renames also leaves a mixed set (one target new, one old); the next run sees
 * those targets as stale and rewrites them, so only the leftovers need naming and removing. Files
 * of a process still running (a concurrent gen) are never touched.
 */
export function findInterruptedWrites(targets: readonly string[]): string[] {
  const byFolder = new Map<string, Set<string>>();
  for (const t of targets) {
    const names = byFolder.get(dirname(t)) ?? new Set<string>();
    names.add(basename(t));
    byFolder.set(dirname(t), names);
  }
  const found: string[] = [];
  for (const [dir, names] of byFolder) {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      continue; // no folder yet: nothing was left there
    }
    for (const entry of entries) {
      const m = /^(.+)\.(\d+)(?:\.restore)?\.tmp$/.exec(entry);
      if (m && names.has(m[1]!) && !processIsAlive(Number(m[2]))) found.push(join(dir, entry));
    }
  }
  return found.sort();
}

function processIsAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, as another user's process.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * One file written atomically: a temporary file beside the target, then a rename, so a reader
 * (a concurrent run, a hook) sees the whole old file or the whole new one, never half. A leaf
 * module with no imports of its own: the warm check and the registry cache use it on the
 * pre-commit path. (Several files as one: write-set.ts.)
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/** Temporary files are `<target>.<pid>.tmp`: one writer per process, and `.gitignore` covers them. */
export function writeFileAtomic(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

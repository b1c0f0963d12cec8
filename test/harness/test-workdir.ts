/**
 * Temp checkouts for harness tests: a directory holding exactly the files a job's scripts read.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export interface Workdir {
  dir: string;
  remove(): void;
}

export function makeWorkdir(files: Readonly<Record<string, string>> = {}): Workdir {
  const dir = mkdtempSync(join(tmpdir(), "job-harness-repo-"));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

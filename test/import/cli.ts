/** Spawns the real CLI (`node generator/launch.mjs`) in a folder, with NO_COLOR=1. */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LAUNCHER, REPO } from "../support/repo.ts";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(cwd: string, args: string[]): CliResult {
  const r = spawnSync(process.execPath, [LAUNCHER, ...args], { cwd, encoding: "utf8", env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? cwd, NO_COLOR: "1" } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export const HANDWRITTEN = join(REPO, "test", "fixtures", "handwritten");
export const VARIATIONS = join(REPO, "test", "fixtures", "import-variations");

/**
 * A temporary repository holding a hand-written pair in .github/workflows/ (and the case's
 * manifests, when it has any), as a team has it before the import.
 */
export function repoWithHandwritten(caseDir: string): string {
  const dir = mkdtempSync(join(tmpdir(), "gen-import-"));
  mkdirSync(join(dir, ".github", "workflows"), { recursive: true });
  for (const f of ["deploy-aks.yml", "deploy-staging.yml"]) cpSync(join(caseDir, f), join(dir, ".github", "workflows", f));
  if (existsSync(join(caseDir, "infra"))) cpSync(join(caseDir, "infra"), join(dir, "infra"), { recursive: true });
  return dir;
}

/** Lists a folder of the case (for `kubectl apply -f <folder>/`) the way kubectl expands it. */
export function lister(root: string): (dir: string) => string[] {
  return (dir) => {
    const abs = join(root, dir);
    return existsSync(abs) ? readdirSync(abs).filter((f) => /\.ya?ml$/.test(f)).sort() : [];
  };
}

export function read(dir: string, rel: string): string {
  return readFileSync(join(dir, rel), "utf8");
}

/**
 * Packing the package as a user gets it, and a workspace to install it into: a copy of the
 * fixture monorepo made a pnpm (or npm) project, whose registry imports "gen-workflows".
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { REPO } from "../support/repo.ts";

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}): Run {
  const r: SpawnSyncReturns<string> = spawnSync(cmd, args, { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", CI: "true", ...env } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function mustRun(cmd: string, args: string[], cwd: string): Run {
  const r = run(cmd, args, cwd);
  if (r.code !== 0) throw new Error(`\`${cmd} ${args.join(" ")}\` in ${cwd} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

/**
 * `pnpm pack` of this repository (its prepack rebuilds dist/ in place); returns the tarball's
 * path. Test files run in parallel workers: one pack at a time, so none packs another's half-built dist/.
 */
export function packRepository(destination: string): string {
  mkdirSync(destination, { recursive: true });
  withLock(join(REPO, "node_modules", ".cache", "gen-workflows-pack.lock"), () => mustRun("pnpm", ["pack", "--pack-destination", destination], REPO));
  return join(destination, readdirSync(destination).find((f) => f.endsWith(".tgz"))!);
}

/** mkdir is atomic: the folder is the lock. One left by a killed run is taken over after two minutes. */
function withLock(lock: string, f: () => void): void {
  mkdirSync(dirname(lock), { recursive: true });
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`${lock} is held by another test run`);
      try {
        if (Date.now() - statSync(lock).mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true });
      } catch {
        // released meanwhile
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    f();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * The same package with another version: a copy of what the build reads (sources, templates,
 * the lockfile, this repository's node_modules for esbuild and tsc), version bumped, packed.
 */
export function packBumpedCopy(version: string, destination: string): string {
  const copy = mkdtempSync(join(tmpdir(), "gen-workflows-v2-"));
  for (const entry of ["generator", "templates", "README.md", "pnpm-lock.yaml", "pnpm-workspace.yaml"]) cpSync(join(REPO, entry), join(copy, entry), { recursive: true });
  symlinkSync(join(REPO, "node_modules"), join(copy, "node_modules"));
  const manifest = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as Record<string, unknown>;
  // No lefthook install in a copy: it is not a git repository.
  const scripts = { ...(manifest.scripts as Record<string, string>) };
  delete scripts.prepare;
  writeFileSync(join(copy, "package.json"), JSON.stringify({ ...manifest, version, scripts }, null, 2) + "\n");
  mkdirSync(destination, { recursive: true });
  mustRun("pnpm", ["pack", "--pack-destination", destination], copy);
  return join(destination, readdirSync(destination).find((f) => f.endsWith(".tgz"))!);
}

/** The fixture monorepo as a fresh project of its own, not yet depending on anything. */
export function makeWorkspace(manager: "pnpm" | "npm"): string {
  const dir = mkdtempSync(join(tmpdir(), `gen-workflows-${manager}-`));
  cpSync(join(REPO, "test", "fixtures", "monorepo"), dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "shop", private: true, type: "module" }, null, 2) + "\n");
  if (manager === "pnpm") writeFileSync(join(dir, "pnpm-workspace.yaml"), 'packages:\n  - "services/*"\n');
  // What a user writes: the registry typed by the installed package.
  const registry = readFileSync(join(dir, "services.config.ts"), "utf8").replace(/^export default \{/m, 'import { defineConfig } from "gen-workflows";\n\nexport default defineConfig({').replace(/^\};\s*$/m, "});\n");
  writeFileSync(join(dir, "services.config.ts"), registry);
  return dir;
}

/** The tarball's file list. */
export function tarballFiles(tarball: string): string[] {
  return mustRun("tar", ["tzf", tarball], REPO).stdout.split("\n").filter(Boolean).sort();
}

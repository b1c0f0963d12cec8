/**
 * The installed package's speed, as a team sees it: this repository packed (`pnpm pack`), installed
 * into a fresh pnpm workspace (the fixture monorepo, registry importing "gen-workflows"), then
 * whole processes timed in turn with `node -e 0`:
 *
 * - first check: `--check` with the cache folder removed before each run, as right after a fresh
 *   install or in CI (the registry is transpiled, the pipeline runs);
 * - warm check: `--check` again, nothing changed (the warm check's record answers);
 * - the pre-commit hook: `git commit` in that workspace with and without a pre-commit hook that
 *   runs the check through the bin (as `init` installs it), the difference being the hook's cost.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeWorkspace, packRepository } from "../package/pack.ts";
import { median, type Timed, timeOnce } from "./bench.ts";

export interface PackageFigures {
  node: number;
  first: number;
  warm: number;
  commit: number;
  commitWithHook: number;
}

function must(cmd: string, args: string[], cwd: string): void {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`\`${cmd} ${args.join(" ")}\` exited ${r.status}: ${r.stderr}`);
}

export function benchPackage(rounds: number): PackageFigures {
  const tarball = packRepository(mkdtempSync(join(tmpdir(), "gen-bench-pack-")));
  const dir = makeWorkspace("pnpm");
  try {
    must("pnpm", ["add", "-D", "--prefer-offline", `file:${tarball}`], dir);
    const bin = join(dir, "node_modules", ".bin", "gen-workflows");
    must(bin, [], dir);
    must("git", ["init", "-q", "."], dir);
    must("git", ["add", "-A"], dir);
    must("git", ["-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "-q", "--no-verify", "-m", "initial"], dir);
    const cache = join(dir, "node_modules", ".cache", "gen-workflows");
    const hook = join(dir, ".git", "hooks", "pre-commit");
    const node: Timed = { label: "node -e 0", command: [process.execPath, "-e", "0"], cwd: dir };
    const check: Timed = { label: "gen-workflows --check", command: [bin, "--check"], cwd: dir };
    const commit: Timed = { label: "git commit", command: ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "-q", "--allow-empty", "-m", "bench"], cwd: dir };
    const samples = { node: [] as number[], first: [] as number[], warm: [] as number[], commit: [] as number[], commitWithHook: [] as number[] };
    timeOnce(check); // warm-up: the disk cache of the package's files
    for (let i = 0; i < rounds; i++) {
      samples.node.push(timeOnce(node));
      rmSync(cache, { recursive: true, force: true });
      samples.first.push(timeOnce(check));
      samples.warm.push(timeOnce(check));
      rmSync(hook, { force: true });
      samples.commit.push(timeOnce(commit));
      writeFileSync(hook, `#!/bin/sh\nexec node_modules/.bin/gen-workflows --check --staged\n`, { mode: 0o755 });
      samples.commitWithHook.push(timeOnce(commit));
    }
    return {
      node: median(samples.node),
      first: median(samples.first),
      warm: median(samples.warm),
      commit: median(samples.commit),
      commitWithHook: median(samples.commitWithHook),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function printPackageFigures(f: PackageFigures, rounds: number): void {
  const line = (label: string, ms: number, note = ""): string => `  ${label.padEnd(40)} ${ms.toFixed(1).padStart(7)} ms  ${(ms / f.node).toFixed(2)}x${note}`;
  console.log(`\ninstalled package (pnpm workspace, fixture monorepo), median of ${rounds} alternating runs:`);
  console.log(line("node -e 0", f.node));
  console.log(line("first --check (no cache, as after install)", f.first, "  (target: at most 3x)"));
  console.log(line("warm --check (nothing changed)", f.warm, "  (target: at most 1.5x)"));
  console.log(`  ${"pre-commit hook adds to git commit".padEnd(40)} ${(f.commitWithHook - f.commit).toFixed(1).padStart(7)} ms  (git commit ${f.commit.toFixed(1)} ms without, ${f.commitWithHook.toFixed(1)} ms with)`);
}

/**
 * `pnpm bench`: times `pnpm gen:workflows --check` as a whole process against `node -e 0` in the
 * same run, alternating the two so machine noise hits both alike, and prints medians and their
 * ratio. A ratio, not milliseconds, because it is what stays comparable across machines.
 *
 *   pnpm bench                 # default: 15 rounds
 *   BENCH_ROUNDS=31 pnpm bench
 *   BENCH_MAX_RATIO=3 pnpm bench   # exit 1 when the check is slower than that ratio
 *   BENCH_PACKAGE=0 pnpm bench     # skip the installed package's figures (package-bench.ts),
 *                                  # which otherwise exit 1 above 3x (first check) or 1.5x (warm)
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import defaultRegistry from "../../services.config.ts";
import { REPO } from "../support/repo.ts";
import { benchPackage, printPackageFigures } from "./package-bench.ts";
import { syntheticRegistry } from "./synthetic-registry.ts";
import { pathologicalCheck } from "./pathological-check.ts";

export interface Timed {
  label: string;
  command: string[];
  cwd: string;
}

export function timeOnce(t: Timed): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(t.command[0]!, t.command.slice(1), { cwd: t.cwd, stdio: "ignore" });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${t.label}: \`${t.command.join(" ")}\` exited ${r.status}`);
  return ms;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Runs every command once per round, in turn, after one warm-up round; returns medians in ms. */
export function alternate(commands: Timed[], rounds: number): Map<string, number> {
  for (const c of commands) timeOnce(c); // warm-up: builds the bundle and the registry cache
  const samples = new Map(commands.map((c) => [c.label, [] as number[]]));
  for (let i = 0; i < rounds; i++) for (const c of commands) samples.get(c.label)!.push(timeOnce(c));
  return new Map([...samples].map(([label, xs]) => [label, median(xs)]));
}

function main(): number {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 15);
  const baseline: Timed = { label: "node -e 0", command: [process.execPath, "-e", "0"], cwd: REPO };
  const check: Timed = { label: "pnpm gen:workflows --check", command: ["pnpm", "-s", "gen:workflows", "--check"], cwd: REPO };
  const direct: Timed = { label: "node generator/launch.mjs --check", command: [process.execPath, join(REPO, "generator", "launch.mjs"), "--check"], cwd: REPO };
  const medians = alternate([baseline, check, direct], rounds);
  const base = medians.get(baseline.label)!;
  console.log(`median of ${rounds} alternating runs (default registry, 17 built services):`);
  for (const [label, ms] of medians) console.log(`  ${label.padEnd(40)} ${ms.toFixed(1).padStart(7)} ms  ${(ms / base).toFixed(2)}x`);
  const ratio = medians.get(check.label)! / base;
  console.log(`ratio: pnpm gen:workflows --check = ${ratio.toFixed(2)}x node -e 0 (target: at most 3x)`);
  let failed = false;
  if (process.env.BENCH_PACKAGE !== "0") {
    const figures = benchPackage(rounds);
    printPackageFigures(figures, rounds);
    for (const [what, ms, limit] of [["first --check", figures.first, 3], ["warm --check", figures.warm, 1.5]] as const)
      if (ms / figures.node > limit) {
        console.log(`FAIL: ${what} is ${(ms / figures.node).toFixed(2)}x node -e 0 (at most ${limit}x)`);
        failed = true;
      }
  }
  if (process.env.BENCH_SCALE !== "0") scale(Number(process.env.BENCH_SCALE_ROUNDS ?? 7));
  if (process.env.BENCH_PATHOLOGICAL !== "0") pathologicalCheck(5);
  const max = process.env.BENCH_MAX_RATIO ? Number(process.env.BENCH_MAX_RATIO) : undefined;
  return failed || (max !== undefined && ratio > max) ? 1 : 0;
}

/**
 * Gen (from scratch: the workflows are deleted before each timed run) and check (of an
 * up-to-date tree) for registries of 17, 100 and 1,000 services, each in a temp project, alternating
 * with `node -e 0`. `BENCH_SCALE=0` skips it.
 */
function scale(rounds: number): void {
  const launch = join(REPO, "generator", "launch.mjs");
  const sizes: { label: string; registry: unknown }[] = [
    { label: "17 built (default)", registry: defaultRegistry },
    { label: "100 (synthetic, 98 built)", registry: syntheticRegistry(100) },
    { label: "1,000 (synthetic, 998 b.)", registry: syntheticRegistry(1000) },
  ];
  console.log(`\nscale: median of ${rounds} alternating runs, whole processes (affected builds on):`);
  console.log(`  ${"services".padEnd(24)} ${"gen".padStart(10)} ${"check".padStart(10)} ${"node -e 0".padStart(10)}   gen/node  check/node`);
  for (const size of sizes) {
    const dir = mkdtempSync(join(tmpdir(), "gen-bench-"));
    try {
      const config = join(dir, "services.config.ts");
      writeFileSync(config, `export default ${JSON.stringify(size.registry, null, 2)};\n`);
      const baseline: Timed = { label: "node", command: [process.execPath, "-e", "0"], cwd: dir };
      const gen: Timed = { label: "gen", command: [process.execPath, launch, "--config", config], cwd: dir };
      const check: Timed = { label: "check", command: [process.execPath, launch, "--check", "--config", config], cwd: dir };
      const fresh = (): void => rmSync(join(dir, ".github"), { recursive: true, force: true });
      timeOnce(gen); // warm-up: registry cache
      timeOnce(check);
      const samples = { node: [] as number[], gen: [] as number[], check: [] as number[] };
      for (let i = 0; i < rounds; i++) {
        samples.node.push(timeOnce(baseline));
        fresh();
        samples.gen.push(timeOnce(gen));
        samples.check.push(timeOnce(check));
      }
      const [n, g, c] = [median(samples.node), median(samples.gen), median(samples.check)];
      console.log(`  ${size.label.padEnd(24)} ${`${g.toFixed(0)} ms`.padStart(10)} ${`${c.toFixed(0)} ms`.padStart(10)} ${`${n.toFixed(0)} ms`.padStart(10)}   ${(g / n).toFixed(2).padStart(7)}x ${(c / n).toFixed(2).padStart(9)}x`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main();

/**
 * `pnpm bench`: times `pnpm gen:workflows --check` as a whole process against `node -e 0` in the
 * same run, alternating the two so machine noise hits both alike, and prints medians and their
 * ratio. A ratio, not milliseconds, because it is what stays comparable across machines.
 *
 *   pnpm bench                 # default: 15 rounds
 *   BENCH_ROUNDS=31 pnpm bench
 *   BENCH_MAX_RATIO=3 pnpm bench   # exit 1 when the check is slower than that ratio
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { REPO } from "../support/repo.ts";

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
  const max = process.env.BENCH_MAX_RATIO ? Number(process.env.BENCH_MAX_RATIO) : undefined;
  return max !== undefined && ratio > max ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main();

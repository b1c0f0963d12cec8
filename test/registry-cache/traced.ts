/**
 * Running the real CLI under strace, to stop it at an exact point: killed when it enters its n-th
 * rename (every write here is a temporary file renamed into place, so "before rename n" is
 * "between write n-1 and write n"), or slowed down there so another process can race it.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LAUNCHER } from "../support/repo.ts";

export const HAS_STRACE = spawnSync("sh", ["-c", "command -v strace"], { stdio: "ignore" }).status === 0;

const RENAMES = "rename,renameat,renameat2";

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The environment every run gets: the cache in `cacheHome`, no colour, nothing from the caller. */
export function cliEnv(cacheHome: string): Record<string, string> {
  return { PATH: process.env.PATH ?? "", HOME: cacheHome, XDG_CACHE_HOME: cacheHome, NO_COLOR: "1" };
}

export function runCli(args: string[], cwd: string, cacheHome: string): CliRun {
  const r = spawnSync(process.execPath, [LAUNCHER, ...args], { cwd, encoding: "utf8", env: cliEnv(cacheHome) });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the CLI and kills it (SIGKILL, no cleanup) as it enters its n-th rename. */
export function runKilledAtRename(n: number, args: string[], cwd: string, cacheHome: string): CliRun {
  const r = spawnSync("strace", ["-f", "-qq", "-o", "/dev/null", "-e", `trace=${RENAMES}`, "-e", `inject=${RENAMES}:signal=KILL:when=${n}`, process.execPath, LAUNCHER, ...args], {
    cwd,
    encoding: "utf8",
    env: cliEnv(cacheHome),
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** True while a write waits for its rename: its temporary file exists below one of `dirs`. */
export function waitingAtRename(...dirs: string[]): () => boolean {
  return () => dirs.some((d) => existsSync(d) && readdirSync(d, { recursive: true }).some((f) => String(f).endsWith(".tmp")));
}

/**
 * Starts the CLI with its n-th rename delayed by `delayMs`; `during` runs once the process is
 * waiting there (`ready` says so; polled), and may kill it through the pid it is given.
 */
export async function runWithDelayedRename(n: number, delayMs: number, args: string[], cwd: string, cacheHome: string, ready: () => boolean, during: (pid: number) => void): Promise<CliRun> {
  const pidFile = join(mkdtempSync(join(tmpdir(), "gen-pid-")), "pid");
  const child = spawn(
    "strace",
    ["-f", "-qq", "-o", "/dev/null", "-e", `trace=${RENAMES}`, "-e", `inject=${RENAMES}:delay_enter=${delayMs * 1000}:when=${n}`, "bash", "-c", `echo $$ > '${pidFile}'; exec "$0" "$@"`, process.execPath, LAUNCHER, ...args],
    { cwd, env: cliEnv(cacheHome) },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("close", (code, signal) => resolve({ code, signal })));
  const deadline = Date.now() + 20_000;
  while (!ready() || !existsSync(pidFile)) {
    if (Date.now() > deadline) throw new Error(`the run never reached its rename ${n}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  during(Number(readFileSync(pidFile, "utf8").trim()));
  const end = await done;
  return { ...end, stdout, stderr };
}

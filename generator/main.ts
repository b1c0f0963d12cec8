#!/usr/bin/env node
/**
 * Process entry: wires the real process into the CLI and sets the exit code. A plain `--check`
 * first asks the warm check (warm-check.ts), which answers from a record of the last passing
 * check when none of its inputs changed, before any of the pipeline is loaded.
 */
import { appendFileSync } from "node:fs";
import type { CliIo } from "./cli-types.ts";
import { stagedWarmRequest } from "./check/staged-warm.ts";
import { describeThrown } from "./describe.ts";
import { recordWarmCheck, replayWarmCheck, warmRequest } from "./warm-check.ts";

const argv = process.argv.slice(2);
const io: CliIo = {
  cwd: process.cwd(),
  env: process.env,
  stdout: (text: string) => void process.stdout.write(text),
  stderr: (text: string) => void process.stderr.write(text),
  isTTY: process.stdout.isTTY === true,
  appendFile: (path, text) => appendFileSync(path, text),
};

// Every step of a command is awaited, so a throw that reaches the process comes from code that
// runs outside it: a timer or a forgotten promise in the registry's own module. Node would exit
// with 1, which CI reads as drift; it is the registry's error (exit 2), said safely.
const outsideAnyStep = (thrown: unknown): void => {
  try {
    process.stderr.write(
      `gen:workflows: the registry's code threw outside the generator's steps (a timer or a promise nobody awaits): ${describeThrown(thrown, true)} [CONFIG_LOAD_FAILED]\n  fix: fix the registry's code: it must only build and export the registry\n`,
    );
  } finally {
    process.exit(2);
  }
};
process.on("uncaughtException", outsideAnyStep);
process.on("unhandledRejection", outsideAnyStep);

const code = await run();
process.exitCode = code;
// The answer is printed, and node exits once nothing is left to run. What the registry's code may
// have left running for longer (an interval, a socket, a load that timed out and still waits) is
// not this run's work: a timer that does not itself keep node alive ends the process, once the
// output is flushed. (What was already due, like a registry's zero-delay timer, still runs first.)
setTimeout(() => process.stdout.write("", () => process.stderr.write("", () => process.exit(code))), 50).unref();

async function run(): Promise<number> {
  // The pre-commit hook's `--check --staged` is warm too when the index holds the working tree's files.
  const warm = safely(() => warmRequest(argv, io.cwd, io.env, io.isTTY)) ?? safely(() => stagedWarmRequest(argv, io));
  if (warm && safely(() => replayWarmCheck(warm, io))) return 0;
  const [{ main }, { startReadLedger }] = await Promise.all([import("./cli.ts"), import("./read-ledger.ts")]);
  if (!warm) return main(argv, io);
  const ledger = startReadLedger();
  const output = { stdout: "", stderr: "" };
  const code = await main(argv, {
    ...io,
    stdout: (text) => ((output.stdout += text), io.stdout(text)),
    stderr: (text) => ((output.stderr += text), io.stderr(text)),
  });
  if (code === 0) safely(() => recordWarmCheck(warm, ledger, output));
  return code;
}

/** The warm check is a shortcut: any failure in it means "take the long way", never a failed run. */
function safely<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

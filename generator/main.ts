#!/usr/bin/env node
/**
 * Process entry: wires the real process into the CLI and sets the exit code. A plain `--check`
 * first asks the warm check (warm-check.ts), which answers from a record of the last passing
 * check when none of its inputs changed, before any of the pipeline is loaded.
 */
import { appendFileSync } from "node:fs";
import type { CliIo } from "./cli-types.ts";
import { stagedWarmRequest } from "./check/staged-warm.ts";
import { recordWarmCheck, replayWarmCheck, warmRequest } from "./warm-check.ts";

const argv = process.argv.slice(2);
const io: CliIo = {
  cwd: process.cwd(),
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTTY: process.stdout.isTTY === true,
  appendFile: (path, text) => appendFileSync(path, text),
};

process.exitCode = await run();

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

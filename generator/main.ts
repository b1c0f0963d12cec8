/** Process entry: wires the real process into the CLI and sets the exit code. */
import { appendFileSync } from "node:fs";
import { main } from "./cli.ts";
import { describeThrown } from "./describe.ts";

const io = {
  cwd: process.cwd(),
  env: process.env,
  stdout: (text: string) => void process.stdout.write(text),
  stderr: (text: string) => void process.stderr.write(text),
  isTTY: process.stdout.isTTY === true,
  appendFile: (path: string, text: string) => appendFileSync(path, text),
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

process.exitCode = await main(process.argv.slice(2), io);

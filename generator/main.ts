/** Process entry: wires the real process into the CLI and sets the exit code. */
import { appendFileSync } from "node:fs";
import { main } from "./cli.ts";

const code = await main(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTTY: process.stdout.isTTY === true,
  appendFile: (path, text) => appendFileSync(path, text),
});
process.exitCode = code;

// PLACEHOLDER: replaced by the real command.
import { EXIT, type CliIo } from "./cli-types.ts";

export async function runAudit(_args: string[], io: CliIo): Promise<number> {
  io.stderr("gen:workflows: 'audit' is not built yet\n");
  return EXIT.usage;
}

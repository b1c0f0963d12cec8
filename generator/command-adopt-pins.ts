// PLACEHOLDER: replaced by the real command.
import { EXIT, type CliIo, type CommonOptions } from "./cli-types.ts";

export async function runAdoptPins(_options: CommonOptions, io: CliIo): Promise<number> {
  io.stderr("gen:workflows: 'adopt-pins' is not built yet\n");
  return EXIT.usage;
}

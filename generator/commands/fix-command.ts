/** The fix command for this run: the repository's spelling (check/user-command.ts) with this run's --config/--root. */
import type { CliIo, CommonOptions } from "../cli-types.ts";
import { detectCommandFacts, fixCommand, type CommandFacts, type FixCommand } from "../check/user-command.ts";
import { readIfExists } from "../io.ts";

/** A file that cannot be read (a folder named package.json, no permission) counts as absent. */
function readQuietly(path: string): string | undefined {
  try {
    return readIfExists(path);
  } catch {
    return undefined;
  }
}

export function commandFactsAt(dir: string): CommandFacts {
  return detectCommandFacts(dir, readQuietly);
}

export function fixCommandFor(options: Pick<CommonOptions, "config" | "root">, io: Pick<CliIo, "cwd">): FixCommand {
  return fixCommand(commandFactsAt(io.cwd), options);
}

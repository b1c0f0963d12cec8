/**
 * Parser for the files a step writes through $GITHUB_ENV and $GITHUB_OUTPUT. Both use the runner's
 * format: `NAME=value` lines, or `NAME<<DELIMITER` followed by lines up to a line equal to the
 * delimiter (for multi-line values). Same precedence rule as the runner: whichever of `=` and `<<`
 * comes first on the line decides the form.
 */

export class CommandFileError extends Error {
  override name = "CommandFileError";
}

/** Returns the assignments in file order; a later assignment of the same name wins when merged. */
export function parseCommandFile(text: string): [string, string][] {
  const lines = text.split("\n").map((line) => line.replace(/\r$/, ""));
  const entries: [string, string][] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (line === "") continue;
    const equals = line.indexOf("=");
    const heredoc = line.indexOf("<<");
    if (equals >= 0 && (heredoc < 0 || equals < heredoc)) {
      entries.push([requireName(line.slice(0, equals), line), line.slice(equals + 1)]);
      continue;
    }
    if (heredoc < 0) throw new CommandFileError(`invalid line (expected NAME=value or NAME<<DELIMITER): ${line}`);
    const name = requireName(line.slice(0, heredoc), line);
    const delimiter = line.slice(heredoc + 2);
    if (delimiter === "") throw new CommandFileError(`empty heredoc delimiter: ${line}`);
    const end = lines.indexOf(delimiter, i + 1);
    if (end < 0) throw new CommandFileError(`heredoc for ${name} is not closed by a line "${delimiter}"`);
    entries.push([name, lines.slice(i + 1, end).join("\n")]);
    i = end;
  }
  return entries;
}

function requireName(name: string, line: string): string {
  if (name.trim() === "") throw new CommandFileError(`missing name: ${line}`);
  return name;
}

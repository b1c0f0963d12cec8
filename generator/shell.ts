/** Shell quoting for generated scripts. Values never reach a script unquoted. */

/** Quotes `s` for bash unless it is made only of characters that need no quoting. */
export function shq(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Joins lines into a script that stops on the first failure, including inside pipes. */
export function script(lines: readonly string[]): string {
  return ["set -euo pipefail", ...lines].join("\n") + "\n";
}

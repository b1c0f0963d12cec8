/** Shell quoting for generated scripts. Values never reach a script unquoted. */

/** Quotes `s` for bash unless it is made only of characters that need no quoting. */
export function shq(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Joins lines into a script that stops on the first failure, including inside pipes. */
export function script(lines: readonly string[]): string {
  return ["set -euo pipefail", ...lines].join("\n") + "\n";
}

/**
 * Bash lines defining a bounded pool: `start <name> <command…>` runs the command in the
 * background, at most `limit` at a time; `wait_started` waits for all started and collects the
 * names of those that failed in `failed`. Hundreds of services must not start hundreds of
 * processes on one runner (or watches against one API server) at once.
 */
export function parallelPoolLines(limit: number): string[] {
  return [
    "pids=()",
    "names=()",
    "failed=()",
    "wait_started() {",
    '  for i in "${!pids[@]}"; do',
    '    if ! wait "${pids[$i]}"; then failed+=("${names[$i]}"); fi',
    "  done",
    "  pids=()",
    "  names=()",
    "}",
    "start() {",
    '  local name="$1"',
    "  shift",
    '  "$@" &',
    '  pids+=("$!")',
    '  names+=("$name")',
    `  if [ "\${#pids[@]}" -ge ${limit} ]; then wait_started; fi`,
    "}",
  ];
}

/** Waits for the pool and fails naming every command that failed. */
export function parallelFinishLines(failure: string): string[] {
  return ["wait_started", 'if [ "${#failed[@]}" -gt 0 ]; then', `  echo "::error::${failure}: \${failed[*]}"`, "  exit 1", "fi"];
}

/** A bounded pool over a list known when generating. */
export function parallelLines(jobs: readonly { name: string; command: string }[], limit: number, failure: string): string[] {
  return [...parallelPoolLines(limit), ...jobs.map((j) => `start ${shq(j.name)} ${j.command}`), ...parallelFinishLines(failure)];
}

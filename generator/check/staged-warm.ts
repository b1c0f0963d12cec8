/**
 * The warm path for the pre-commit check: when the index agrees with the working tree on every
 * path the check reads (one `git status`, see staged-paths.ts), `--check --staged` answers
 * exactly what a plain `--check` answers, so it may replay that check's record (warm-check.ts)
 * before any of the pipeline loads. Otherwise (something relevant is staged differently) the
 * staged snapshot must be checked: no shortcut.
 */
import type { CliIo } from "../cli-types.ts";
import { warmRequest, type WarmRequest } from "../warm-check.ts";
import { stagedState } from "./staged-paths.ts";

export function stagedWarmRequest(argv: readonly string[], io: Pick<CliIo, "cwd" | "env" | "isTTY">): WarmRequest | undefined {
  const at = argv.indexOf("--staged");
  if (at < 0 || argv.includes("--staged", at + 1)) return undefined;
  const request = warmRequest([...argv.slice(0, at), ...argv.slice(at + 1)], io.cwd, io.env, io.isTTY);
  if (!request) return undefined;
  const state = stagedState(request.paths, io.env);
  return state === undefined || state.unstaged.length === 0 ? request : undefined;
}

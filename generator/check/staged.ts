/**
 * The pre-commit check judges what is being committed: the index's registry, the files it
 * imports, the templates and the generated files. This module decides which paths matter and
 * what to tell the user when the staged snapshot drifts; commands/check-staged.ts reads git.
 *
 * The most common mistake: edit the registry, run gen, `git add services.config.ts` only. The
 * working tree then holds the right workflows, the index the old ones, so the fix is `git add`
 * of exactly those files. Anything else (the working tree is also out of date, or only part of
 * the registry is staged) needs gen and then `git add` of the registry and the workflows.
 */
import { normalizeText, type Drift } from "./check.ts";
import type { FixCommand } from "./user-command.ts";
import { shellQuote } from "./user-command.ts";

export interface StagedFix {
  /** Per drifting file (root-relative path): the remedy to print instead of the usual one. */
  remedies: Map<string, string>;
  /** The closing line. */
  closing: string;
}

/**
 * `worktree` holds each drifting file's working-tree text (undefined when absent); a file whose
 * working-tree text is what the staged inputs generate only needs staging. `unstagedInputs` are
 * the registry and imported files with unstaged changes (partial staging, `git add -p`).
 */
export function stagedFix(input: {
  drifts: readonly Drift[];
  worktree: ReadonlyMap<string, string | undefined>;
  /** Root-relative path -> what `git add` should be given (relative to where the user is). */
  shown: (path: string) => string;
  registry: string;
  unstagedInputs: readonly string[];
  cmd: FixCommand;
}): StagedFix {
  const remedies = new Map<string, string>();
  const justStage: string[] = [];
  for (const d of input.drifts) {
    const onDisk = input.worktree.get(d.path);
    const staged = d.kind === "orphan" ? onDisk === undefined : onDisk !== undefined && d.expected !== undefined && normalizeText(onDisk) === d.expected;
    if (!staged) continue;
    justStage.push(d.path);
    remedies.set(
      d.path,
      d.kind === "orphan"
        ? `deleted in the working tree but still staged: \`git add ${shellQuote(input.shown(d.path))}\` stages the deletion`
        : `the working tree has it regenerated, but the commit holds the old version: \`git add ${shellQuote(input.shown(d.path))}\``,
    );
  }
  if (justStage.length === input.drifts.length)
    return { remedies, closing: `To fix: \`git add ${justStage.map((p) => shellQuote(input.shown(p))).join(" ")}\`, then commit.` };
  const toStage = [...new Set([input.registry, ...input.unstagedInputs, ...input.drifts.map((d) => d.path)])].map((p) => shellQuote(input.shown(p))).join(" ");
  const partial = input.unstagedInputs.length
    ? ` (${input.unstagedInputs.join(", ")} ${input.unstagedInputs.length === 1 ? "has" : "have"} unstaged changes: the commit holds only the staged part)`
    : "";
  return { remedies, closing: `To fix: run \`${input.cmd.gen()}\`, then \`git add ${toStage}\` and commit${partial}.` };
}

/**
 * Drifting files whose only difference is action refs -> the pins to write into the registry.
 * Pure: refuses a ref that is not a full commit SHA (the registry pins SHAs, never tags) and two
 * files that disagree about one action.
 */
import type { Drift } from "../check.ts";
import { type Diagnostic, error } from "../../diagnostics.ts";
import type { Pin } from "../../render/pins.ts";
import { pinOnlyChanges } from "./pin-diff.ts";
import { DEFAULT_FIX_COMMAND, type FixCommand } from "../user-command.ts";
import { byCodeUnit } from "../../sort-order.ts";

export interface AdoptedPin extends Pin {
  action: string;
  /** Files (and lines) it was read from. */
  from: { file: string; line: number }[];
}

export function adoptablePins(drifts: readonly Drift[], cmd: FixCommand = DEFAULT_FIX_COMMAND): { pins: AdoptedPin[]; diagnostics: Diagnostic[] } {
  const pins = new Map<string, AdoptedPin>();
  const diagnostics: Diagnostic[] = [];
  for (const d of drifts) {
    if (d.kind !== "pins" || d.actual === undefined || d.expected === undefined) continue;
    for (const c of pinOnlyChanges(d.actual, d.expected) ?? []) {
      const { ref, version } = c.committed;
      if (!/^[0-9a-f]{40}$/.test(ref)) {
        diagnostics.push(
          error("PIN_NOT_A_SHA", `${c.action}@${ref} is not a full commit SHA; the registry pins actions to SHAs`, {
            file: d.path,
            line: c.line,
            fix: `pin ${c.action} to the 40-character commit SHA of ${ref}, with the version in a trailing comment (\`@<sha> # ${ref}\`)`,
          }),
        );
        continue;
      }
      if (version === undefined) {
        diagnostics.push(
          error("PIN_NOT_A_SHA", `${c.action}@${ref} has no \`# v1.2.3\` comment naming its version`, {
            file: d.path,
            line: c.line,
            fix: "add the version as a trailing comment, as Dependabot and Renovate do: `uses: owner/repo@<sha> # v1.2.3`",
          }),
        );
        continue;
      }
      const seen = pins.get(c.action);
      if (!seen) pins.set(c.action, { action: c.action, sha: ref, version, from: [{ file: d.path, line: c.line }] });
      else if (seen.sha === ref && seen.version === version) seen.from.push({ file: d.path, line: c.line });
      else
        diagnostics.push(
          error("PIN_CONFLICT", `${c.action} is pinned to ${ref} (${version}) here but to ${seen.sha} (${seen.version}) in ${seen.from[0]!.file}`, {
            file: d.path,
            line: c.line,
            fix: `let the bot bump every workflow to the same ref, or edit the workflows so they agree, then run \`${cmd.gen("--adopt-pins")}\` again`,
          }),
        );
    }
  }
  return { pins: [...pins.values()].sort((a, b) => byCodeUnit(a.action, b.action)), diagnostics };
}

/**
 * Every single-line edit of a generated workflow is detected. GIVEN deploy-aks.yml (and the data
 * file its deploy job reads, deploy-aks.jsonc) as the default registry generates it WHEN any one line is changed (or removed) THEN the drift check reports the
 * file (exit 1): a body line as `edited`, named at its own line (a `uses:` line whose ref or
 * version comment changed as `pins`, named at its line); a banner line as drift too. Run
 * in-process on the pure check (no CLI per mutation) so ~2,000 mutations take seconds.
 */
import { describe, expect, it } from "vitest";
import { findDrift } from "../../generator/check/check.ts";
import { changedLines } from "../../generator/check/edited-lines.ts";
import { describeDrift } from "../../generator/check/semantic-drift.ts";
import { planAll } from "../../generator/plan/plan.ts";
import { defaultRegistry, generateFrom } from "../support/repo.ts";

const AKS = ".github/workflows/deploy-aks.yml";
/** Banner lines 1-3 and the blank line after them. */
const BANNER_LINES = 4;

describe.each([
  { path: AKS, minLines: 300 },
  { path: ".github/deploy/deploy-aks.jsonc", minLines: 50 },
])("every-line mutation fuzz of $path", async ({ path, minLines }) => {
  const registry = await defaultRegistry();
  const result = generateFrom(registry);
  const file = result.files.find((f) => f.path === path)!;
  const plan = planAll(result.registry!).find((p) => p.workflowFile === AKS)!;
  const lines = file.content.split("\n").slice(0, -1); // the text ends with a newline
  // The full report (YAML parse, facts, pins) for the appended character; the removal checks the
  // kind and the edited-lines reader only, which keeps the whole fuzz to seconds.
  const mutations: { name: string; mutate: (line: string) => string | undefined; full: boolean }[] = [
    { name: "a character appended", mutate: (l) => (l === "" ? "#" : `${l}x`), full: true },
    { name: "the line removed", mutate: () => undefined, full: false },
  ];

  it.each(mutations)("GIVEN each line of the file with $name WHEN checked THEN it is drift, a body line edited at that line", ({ mutate, full }) => {
    expect(lines.length).toBeGreaterThan(minLines);
    const missed: string[] = [];
    lines.forEach((line, i) => {
      const changed = mutate(line);
      const mutated = [...lines.slice(0, i), ...(changed === undefined ? [] : [changed]), ...lines.slice(i + 1)].join("\n") + "\n";
      const drifts = findDrift([file], new Map([[path, mutated]]), [path]);
      const lineNo = i + 1;
      if (drifts.length !== 1) return void missed.push(`line ${lineNo}: not detected`);
      const drift = drifts[0]!;
      if (i < BANNER_LINES) return; // a banner edit: detected (edited, stale or unmanaged) is all that is promised
      const findings = full ? describeDrift(drift, plan) : [];
      if (drift.kind === "pins" && /^\s*(- )?uses: /.test(line)) {
        // Only a `uses:` ref or its version comment changed: a pin change, named at its line.
        if (!findings.some((f) => f.code === "DRIFT_ACTION_PIN" && f.line === lineNo)) missed.push(`line ${lineNo}: pin change not named at its line`);
        return;
      }
      if (drift.kind !== "edited") return void missed.push(`line ${lineNo}: ${drift.kind}, not edited`);
      const editedLine = full ? findings.find((f) => f.code === "DRIFT_EDITED_LINES")?.line : changedLines(drift.actual!, drift.expected!)[0]?.from;
      if (editedLine !== lineNo && !(changed === undefined && editedLine === lineNo - 1)) missed.push(`line ${lineNo}: named at ${editedLine ?? "no line"}`);
    });
    expect(missed).toEqual([]);
  }, 120_000);
});

/**
 * Drift in registry terms: parses the committed workflow and compares it with the plan it should
 * implement, then names what differs as services, secrets, Sentry releases and deploy order.
 * Loaded only when a file drifts; a file that no longer parses is a finding, never a crash.
 */
import { parse } from "yaml";
import type { Drift } from "./check.ts";
import { compareWithPlan } from "./compare-plan.ts";
import { changedLines, formatRanges, type LineRange } from "./edited-lines.ts";
import type { DriftFinding } from "./findings.ts";
import { workflowFacts } from "./workflow-facts.ts";
import type { DeployPlan } from "../plan/plan.ts";
import type { DeployData } from "../runner/data.ts";
import { type PinChange, pinChanges } from "./pins/pin-diff.ts";

export type { DriftFinding, DriftFindingCode } from "./findings.ts";

/**
 * `plan` is the environment's plan (what the expected file was rendered from), when there is one;
 * `data` the runner data file the workflow's runner steps read (as committed), when there is one.
 * For a drifting data file, `workflowText` is its committed workflow: the two together say what
 * the environment's deploy does.
 */
export function describeDrift(drift: Drift, plan?: DeployPlan, data?: DeployData, workflowText?: string): DriftFinding[] {
  if (drift.actual === undefined || drift.expected === undefined) return [];
  const file = drift.path.slice(drift.path.lastIndexOf("/") + 1);
  const out: DriftFinding[] = [];
  // A support file (runner bundle, data file) is not YAML: its edited lines, and what its workflow then does.
  if (!/\.ya?ml$/.test(drift.path)) {
    out.push(...editedLines(drift, file));
    if (plan && data && workflowText !== undefined) {
      let workflow: unknown;
      try {
        workflow = parse(workflowText);
      } catch {
        return out; // the workflow's own drift reports it
      }
      out.push(...compareWithPlan(file, workflowFacts(workflow, data), plan));
    }
    return out;
  }

  // The edited lines first: a hand edit that broke the YAML is still named at its lines.
  out.push(...editedLines(drift, file));
  let committed: unknown;
  try {
    // No duplicate-key check: it compares every key with every other (minutes for a committed
    // file of 100,000 keys), and a duplicate in a drifting file is already named by its lines.
    committed = parse(drift.actual, { uniqueKeys: false });
  } catch (e) {
    const pos = (e as { linePos?: { line: number; col: number }[] }).linePos?.[0];
    const reason = (e as Error).message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
    out.push({
      code: "DRIFT_YAML_INVALID",
      message: `${file}: no longer parses as YAML${pos ? ` at ${pos.line}:${pos.col}` : ""}: ${reason}`,
      ...(pos ? { line: pos.line, column: pos.col } : {}),
    });
    return out;
  }

  // One finding per bumped action, however many steps use it.
  const pins = new Map<string, { change: PinChange; lines: number[] }>();
  for (const c of pinChanges(drift.actual, drift.expected)) {
    const key = `${c.action}@${c.committed.ref}#${c.committed.version}>${c.generated.ref}#${c.generated.version}`;
    const seen = pins.get(key);
    if (seen) seen.lines.push(c.line);
    else pins.set(key, { change: c, lines: [c.line] });
  }
  for (const { change: c, lines } of pins.values())
    out.push({
      code: "DRIFT_ACTION_PIN",
      message: `${file}: ${c.action} is at ${describeRef(c.committed)} (line${lines.length > 1 ? "s" : ""} ${lines.join(", ")}), the registry pins ${describeRef(c.generated)}`,
      line: lines[0]!,
    });
  out.push(...(plan ? compareWithPlan(file, workflowFacts(committed, data), plan) : []));
  return out;
}

function editedLines(drift: Drift, file: string): DriftFinding[] {
  if (drift.kind !== "edited" && drift.kind !== "stale-and-edited") return [];
  const ranges = changedLines(drift.actual!, drift.expected!);
  if (!ranges.length) return [];
  return [
    {
      code: "DRIFT_EDITED_LINES",
      message:
        drift.kind === "edited"
          ? `${file}: ${linesWord(ranges)} ${formatRanges(ranges)} ${oneLine(ranges) ? "was" : "were"} edited by hand`
          : `${file}: ${linesWord(ranges)} ${formatRanges(ranges)} ${oneLine(ranges) ? "differs" : "differ"} from what the registry generates (hand edits and registry changes together)`,
      line: ranges[0]!.from,
    },
  ];
}

function describeRef(r: { ref: string; version?: string }): string {
  const ref = /^[0-9a-f]{40}$/.test(r.ref) ? r.ref.slice(0, 12) : r.ref;
  return r.version ? `${ref} (${r.version})` : ref;
}

function oneLine(ranges: readonly LineRange[]): boolean {
  return ranges.length === 1 && ranges[0]!.from === ranges[0]!.to;
}

function linesWord(ranges: readonly LineRange[]): string {
  return oneLine(ranges) ? "line" : "lines";
}

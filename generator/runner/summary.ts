/** The dependency graph of the deploy as a Mermaid block for the job summary, coloured by result. Pure. */
import type { DeployUnitData } from "./data.ts";
import type { UnitOutcome } from "./schedule.ts";

const id = (name: string): string => `s_${name.replace(/[^A-Za-z0-9]/g, "_")}`;

const CLASS: Record<UnitOutcome["status"], string> = {
  rolled: "rolled",
  unchanged: "unchanged",
  "rollout-failed": "failed",
  "apply-failed": "failed",
  "not-applied": "skipped",
};

export function dependencyGraph(units: readonly DeployUnitData[], outcomes: ReadonlyMap<string, UnitOutcome>): string[] {
  const names = new Set(units.map((u) => u.service));
  return [
    "```mermaid",
    "graph LR",
    ...units.map((u) => `  ${id(u.service)}["${u.service}"]:::${CLASS[outcomes.get(u.service)?.status ?? "not-applied"]}`),
    ...units.flatMap((u) => u.dependsOn.filter((d) => names.has(d)).map((d) => `  ${id(d)} --> ${id(u.service)}`)),
    "  classDef rolled fill:#dafbe1",
    "  classDef unchanged fill:#eeeeee",
    "  classDef failed fill:#ffd7d5",
    "  classDef skipped fill:#fff8c5",
    "```",
  ];
}

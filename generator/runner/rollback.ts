/** What a failed deploy undoes, by the registry's `project.rollback` mode. Pure. */
import type { RollbackMode } from "./data.ts";
import type { UnitOutcome } from "./schedule.ts";

export interface UndoPlan {
  /** Deployments to `kubectl rollout undo`, in the units' order. */
  undo: string[];
  /** Changed by this run but created by it: there is no earlier revision to go back to. */
  created: string[];
}

export function undoPlan(outcomes: ReadonlyMap<string, UnitOutcome>, mode: RollbackMode): UndoPlan {
  const plan: UndoPlan = { undo: [], created: [] };
  if (mode === "none") return plan;
  for (const [service, o] of outcomes) {
    // "changed": everything whose Deployment this run changed; "failed": only failed rollouts.
    const wanted = mode === "changed" ? o.status === "rolled" || o.status === "rollout-failed" : o.status === "rollout-failed";
    if (!wanted) continue;
    (o.created ? plan.created : plan.undo).push(service);
  }
  return plan;
}

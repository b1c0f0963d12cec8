/**
 * The rollout scheduler, pure: each unit is applied as soon as every unit it depends on is ready
 * (rolled out, or unchanged by its apply), and at most `maxWatches` rollouts are watched at once.
 * No levels and no barriers: a slow backend delays only what depends on it. After the first
 * failure nothing new is applied; rollouts already under way are still awaited, so every failure
 * is named. The cluster is an interface, so tests drive it on a virtual clock.
 */

export interface SchedulableUnit {
  service: string;
  dependsOn: readonly string[];
}

export type ApplyResult = { ok: true; rolls: boolean; created: boolean } | { ok: false; error: string };

export interface UnitCluster<U extends SchedulableUnit> {
  /** Applies the unit's manifests; `rolls` when its Deployment's spec changed and so rolls out. */
  apply(unit: U): Promise<ApplyResult>;
  /** Waits for the unit's rollout; false when it failed or timed out. */
  rollout(unit: U): Promise<boolean>;
}

export type UnitStatus =
  /** Applied, and its Deployment did not change: nothing rolled. */
  | "unchanged"
  /** Applied, rolled out. */
  | "rolled"
  /** Applied, its rollout failed. */
  | "rollout-failed"
  /** Its apply failed. */
  | "apply-failed"
  /** Never applied: a failure stopped the deploy first. */
  | "not-applied";

export interface UnitOutcome {
  status: UnitStatus;
  /** The Deployment did not exist before this run. */
  created: boolean;
  error?: string;
}

export interface ScheduleResult {
  ok: boolean;
  /** Keyed by service, in the units' order. */
  outcomes: Map<string, UnitOutcome>;
}

export function schedule<U extends SchedulableUnit>(units: readonly U[], cluster: UnitCluster<U>, maxWatches: number): Promise<ScheduleResult> {
  const known = new Set(units.map((u) => u.service));
  const ready = new Set<string>();
  const outcomes = new Map<string, UnitOutcome>(units.map((u) => [u.service, { status: "not-applied", created: false }]));
  const pending = [...units];
  const toWatch: U[] = [];
  let applying = 0;
  let watching = 0;
  let failed = false;

  return new Promise((resolve) => {
    const finishIfIdle = (): void => {
      if (applying > 0 || watching > 0 || toWatch.length > 0) return;
      // Idle with units left means a failure stopped the deploy (cycles are refused by the registry rules).
      resolve({ ok: !failed && pending.length === 0, outcomes });
    };
    const isReady = (dep: string): boolean => !known.has(dep) || ready.has(dep);
    const startReady = (): void => {
      if (failed) return;
      for (const unit of [...pending]) {
        if (!unit.dependsOn.every(isReady)) continue;
        pending.splice(pending.indexOf(unit), 1);
        applying++;
        void cluster.apply(unit).then((result) => {
          applying--;
          if (!result.ok) {
            failed = true;
            outcomes.set(unit.service, { status: "apply-failed", created: false, error: result.error });
          } else if (!result.rolls) {
            outcomes.set(unit.service, { status: "unchanged", created: result.created });
            ready.add(unit.service);
          } else {
            outcomes.set(unit.service, { status: "rolled", created: result.created });
            toWatch.push(unit);
          }
          watchQueued();
          startReady();
          finishIfIdle();
        });
      }
    };
    const watchQueued = (): void => {
      while (watching < maxWatches && toWatch.length > 0) {
        const unit = toWatch.shift()!;
        watching++;
        void cluster.rollout(unit).then((ok) => {
          watching--;
          if (ok) ready.add(unit.service);
          else {
            failed = true;
            outcomes.set(unit.service, { ...outcomes.get(unit.service)!, status: "rollout-failed" });
          }
          watchQueued();
          startReady();
          finishIfIdle();
        });
      }
    };
    startReady();
    finishIfIdle();
  });
}

/**
 * Prune, pure: objects carrying this registry's labels that the deploy did not apply. Only
 * objects labelled with a service are candidates, and only after a deploy that applied every
 * service, so a partial run can never delete what it simply did not reach.
 */
export interface LabelledObject {
  /** `kind/name` as kubectl prints it, e.g. `cronjob.batch/escrow-releases`. */
  ref: string;
  service: string;
}

export interface PruneDecision {
  delete: LabelledObject[];
  reasons: Record<string, string>;
}

export function pruneDecision(live: readonly LabelledObject[], applied: ReadonlySet<string>, services: ReadonlySet<string>): PruneDecision {
  const decision: PruneDecision = { delete: [], reasons: {} };
  for (const o of [...live].sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0))) {
    if (applied.has(o.ref)) continue;
    decision.delete.push(o);
    decision.reasons[o.ref] = services.has(o.service) ? `no longer in ${o.service}'s manifests or cronjobs` : `service ${o.service} is no longer in the registry`;
  }
  return decision;
}

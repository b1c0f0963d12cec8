/**
 * Deploy order from evidence, not from the order steps were typed: a service depends on another
 * when one of its containers names the other's Kubernetes Service (`http://identity-service`,
 * `redis://redis:6379`, `amqp://…@rabbitmq:5672`, `identity-service.<ns>.svc`), and only on an
 * earlier or equal kind (infrastructure, backend, gateway, frontend). Services with no evidence
 * between them deploy in parallel. Every inferred edge keeps the manifest line it came from;
 * every hand-written ordering that is dropped is listed with the one line that restores it.
 * Near-linear: one pass over the references, one reachability walk per kept edge's service.
 */
import { reaches as reachesIn } from "./graph.ts";
import { warning } from "../diagnostics.ts";
import { KIND_ORDER } from "../config/kinds.ts";
import type { Service } from "../config/registry.ts";
import type { ImportDiagnostic } from "./findings.ts";
import type { RepositoryFacts } from "./read-repository.ts";
import type { WorkflowFacts } from "./read-workflow.ts";

export interface InferredEdge {
  service: string;
  dependsOn: string;
  file: string;
  line: number;
  text: string;
}

export interface DeployOrderReport {
  /** `manifests`: edges from evidence; `kinds`: the manifests were not read, so only the kind order of the steps is kept. */
  source: "manifests" | "kinds";
  inferred: InferredEdge[];
  /** Services the hand-written workflows awaited before this one that the inferred order does not. */
  notKept: { service: string; file: string; line: number; predecessors: string[]; restore: string[] }[];
  diagnostics: ImportDiagnostic[];
}

export function orderFromEvidence(
  services: Service[],
  repository: RepositoryFacts,
  inputs: readonly { name: string; facts: WorkflowFacts }[],
  envsOf: ReadonlyMap<string, string[]>,
): DeployOrderReport {
  const byFolder = new Map(services.map((s) => [s.manifests ?? s.name, s]));
  const kindRank = (s: Service): number => KIND_ORDER.indexOf(s.kind);
  const diagnostics: ImportDiagnostic[] = [];
  const candidates: InferredEdge[] = [];
  for (const s of services) {
    const folder = repository.folders.get(s.manifests ?? s.name);
    if (!folder) continue;
    const seen = new Set<string>();
    for (const ref of folder.references) {
      const targetFolder = repository.serviceFolder.get(ref.host);
      const target = targetFolder !== undefined ? byFolder.get(targetFolder) : undefined;
      if (!target || target === s || seen.has(target.name)) continue;
      seen.add(target.name);
      if (kindRank(target) > kindRank(s)) {
        diagnostics.push({
          ...warning("IMPORT_ASSUMPTION", `a ${s.kind} names a later kind's Kubernetes Service: not a deploy dependency (kinds deploy infrastructure, backend, gateway, frontend)`, { file: ref.file, line: ref.line }),
          kind: "later-kind-reference",
          subject: `${s.name} -> ${target.name}`,
          detail: ref.text,
        });
        continue;
      }
      const missing = (envsOf.get(s.name) ?? []).filter((e) => !(envsOf.get(target.name) ?? []).includes(e));
      if (missing.length) continue; // not deployed everywhere the service is: no ordering to keep there
      candidates.push({ service: s.name, dependsOn: target.name, file: ref.file, line: ref.line, text: ref.text });
    }
  }
  // Same-kind references in both directions would be a cycle: keep the edges in registry order, drop the closing one.
  const deps = new Map<string, string[]>();
  const reaches = (from: string, to: string): boolean => reachesIn(deps, from, to);
  const inferred: InferredEdge[] = [];
  for (const e of candidates) {
    if (reaches(e.dependsOn, e.service)) {
      diagnostics.push({ ...warning("IMPORT_ASSUMPTION", "two services name each other's Kubernetes Service: the second reference is not a deploy dependency (it would be a cycle)", { file: e.file, line: e.line }), kind: "cycle", subject: `${e.service} -> ${e.dependsOn}` });
      continue;
    }
    deps.set(e.service, [...(deps.get(e.service) ?? []), e.dependsOn]);
    inferred.push(e);
  }
  // Written dependsOn: only what another dependency does not already imply.
  const order = new Map(services.map((s, i) => [s.name, i]));
  for (const s of services) {
    const direct = deps.get(s.name) ?? [];
    const kept = direct.filter((d) => !direct.some((o) => o !== d && reaches(o, d)));
    if (kept.length) s.dependsOn = kept.sort((a, b) => order.get(a)! - order.get(b)!);
    else delete s.dependsOn;
  }
  // Hand-written orderings not kept: the services of the phase before, in any environment.
  const notKept: DeployOrderReport["notKept"] = [];
  for (const s of services) {
    const predecessors = new Set<string>();
    let at: { file: string; line: number } | undefined;
    for (const input of inputs) {
      const k = input.facts.phases.findIndex((p) => p.includes(s.name));
      if (k > 0) {
        for (const p of input.facts.phases[k - 1]!) predecessors.add(p);
        at ??= { file: input.facts.file, line: input.facts.deployed[s.name]?.line ?? 1 };
      }
    }
    const dropped = [...predecessors].filter((p) => order.has(p) && p !== s.name && !reaches(s.name, p) && kindRank(services[order.get(p)!]!) <= kindRank(s));
    if (dropped.length && at) notKept.push({ service: s.name, ...at, predecessors: dropped.sort((a, b) => order.get(a)! - order.get(b)!), restore: [...(s.dependsOn ?? []), ...dropped] });
  }
  return { source: "manifests", inferred, notKept, diagnostics };
}

/** Number of deploy phases (levels of the dependsOn graph). */
export function phaseCount(services: readonly Service[]): number {
  const byName = new Map(services.map((s) => [s.name, s]));
  const level = new Map<string, number>();
  const levelOf = (name: string, depth = 0): number => {
    const known = level.get(name);
    if (known !== undefined) return known;
    if (depth > services.length) return 0;
    const deps = (byName.get(name)?.dependsOn ?? []).filter((d) => byName.has(d));
    const l = deps.length ? 1 + Math.max(...deps.map((d) => levelOf(d, depth + 1))) : 0;
    level.set(name, l);
    return l;
  };
  return services.length ? 1 + Math.max(...services.map((s) => levelOf(s.name))) : 0;
}

/**
 * DeployPlan -> what a person reads: a text table per environment, JSON, a Mermaid graph
 * (phases as subgraphs, dependency edges). (The deploy job's summary is the runner's: what rolled,
 * and the graph coloured by result.) Pure string building; `command-plan.ts` decides what is printed.
 */
import { JSON_SCHEMA_VERSION } from "../diagnostics.ts";
import type { DeployPlan } from "./plan.ts";
import { dataFileOf } from "../render/support-paths.ts";
import type { DeployData } from "../runner/data.ts";

const sentryServices = (plan: DeployPlan): string[] => plan.builds.filter((b) => b.sentryProject !== undefined).map((b) => b.name);
const deployed = (plan: DeployPlan): string[] => plan.phases.flatMap((p) => p.units.map((u) => u.service));

/** Everything two or more environments do differently, one sentence each (sorted, stable). */
export function planDifferences(plans: readonly DeployPlan[]): string[] {
  if (plans.length < 2) return [];
  const out: string[] = [];
  const envs = plans.map((p) => p.environment);
  const compare = (what: string, get: (p: DeployPlan) => string[]): void => {
    const all = [...new Set(plans.flatMap(get))].sort();
    for (const item of all) {
      const having = plans.filter((p) => get(p).includes(item)).map((p) => p.environment);
      if (having.length < plans.length) out.push(`${what} ${item}: ${having.join(", ")} only (not ${envs.filter((e) => !having.includes(e)).join(", ")})`);
    }
  };
  compare("service", deployed);
  compare("secret group", (p) => p.secretGroups.map((g) => g.name));
  compare("cronjob", (p) => p.phases.flatMap((ph) => ph.units.flatMap((u) => u.cronjobFiles)));
  compare("one-time job", (p) => p.jobs.map((j) => j.file));
  compare("Sentry release for", sentryServices);
  const common = deployed(plans[0]!).filter((s) => plans.every((p) => deployed(p).includes(s)));
  for (const s of common) {
    const phase = plans.map((p) => p.phases.find((ph) => ph.units.some((u) => u.service === s))!.number);
    if (new Set(phase).size > 1) out.push(`service ${s} deploys in phase ${plans.map((p, i) => `${phase[i]} (${p.environment})`).join(" vs ")}`);
  }
  return out;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]): string => r.map((cell, c) => cell.padEnd(widths[c]!)).join("  ").trimEnd();
  return [line(rows[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...rows.slice(1).map(line)];
}

const ROLLBACK_TEXT = {
  changed: "undo every Deployment this run changed (rollback: changed)",
  failed: "undo the failed Deployments (rollback: failed)",
  none: "undo nothing (rollback: none)",
} as const;

/**
 * What the last generated deploy applied that this plan no longer does: the committed data file
 * (`.github/deploy/<workflow>.jsonc`) is what the deploy on the branch last ran with. Removed
 * services are deleted whole; a removed cronjob or one-time job file is deleted by its object.
 */
export interface PruneDelta {
  services: string[];
  files: string[];
}

export function pruneDelta(plan: DeployPlan, committed: DeployData | undefined): PruneDelta | undefined {
  if (!committed) return undefined;
  const services = new Set(plan.phases.flatMap((p) => p.units.map((u) => u.service)));
  const files = new Set([...plan.phases.flatMap((p) => p.units.flatMap((u) => u.cronjobFiles)), ...plan.jobs.map((j) => j.file)]);
  return {
    services: [...new Set(committed.units.map((u) => u.service))].filter((s) => !services.has(s)).sort(),
    files: [...committed.units.filter((u) => services.has(u.service)).flatMap((u) => u.cronjobFiles), ...committed.jobs.filter((j) => services.has(j.service)).map((j) => j.file)]
      .filter((f) => !files.has(f))
      .sort(),
  };
}

/**
 * What prune would delete. The plan cannot see the cluster, so it states the rule (every object
 * labelled with this registry and a service that the deploy no longer applies) and, when the
 * committed data file is there, what the registry dropped since that deploy.
 */
function pruneText(plan: DeployPlan, delta: PruneDelta | undefined): string[] {
  const services = plan.phases.flatMap((p) => p.units.map((u) => u.service));
  const dropped = delta && (delta.services.length || delta.files.length) ? [...delta.services.map((s) => `service ${s} (every object labelled with it)`), ...delta.files] : [];
  if (!plan.prune)
    return [`Prune: off (objects of removed services and cronjobs stay in the cluster; set project.prune: true)${dropped.length ? `; left in the cluster: ${dropped.join(", ")}` : ""}`];
  return [
    `Prune: after a successful deploy, delete objects labelled gen-workflows.dev/service that are not in the manifests or cronjobs of these ${services.length} services: a service not in ${services.join(", ")} is deleted whole`,
    ...(delta ? [dropped.length ? `Prune would delete, compared with the committed ${dataFileOf(plan)}: ${dropped.join(", ")}` : `Prune would delete nothing the committed ${dataFileOf(plan)} applies`] : []),
  ];
}

export function planText(plans: readonly DeployPlan[], differences: readonly string[], committed: ReadonlyMap<string, DeployData> = new Map()): string {
  const out: string[] = [];
  for (const plan of plans) {
    out.push(`${plan.environment}: ${plan.workflowFile} (branch ${plan.branch}, namespace ${plan.namespace})`, "");
    out.push(...table([["Phase", "Kinds", "Services"], ...plan.phases.map((p) => [String(p.number), p.kinds.join(" + "), p.units.map((u) => u.service).join(", ")])]).map((l) => `  ${l}`));
    out.push("", `  Secret groups: ${plan.secretGroups.map((g) => `${g.name} (${g.keys.length} key${g.keys.length === 1 ? "" : "s"})`).join(", ") || "none"}`);
    out.push(`  Sentry releases: ${sentryServices(plan).join(", ") || "none"}`);
    out.push(`  Then: ingress ${plan.ingressManifest}${plan.jobs.length ? `, one-time jobs ${plan.jobs.map((j) => j.name).join(", ")}` : ""}`);
    out.push(`  On a failed rollout: ${ROLLBACK_TEXT[plan.rollback]}`);
    out.push(...pruneText(plan, pruneDelta(plan, committed.get(plan.environment))).map((l) => `  ${l}`), "");
  }
  if (plans.length > 1) {
    out.push(differences.length ? `Differences between environments (${differences.length}):` : "No differences between environments beyond per-environment values.");
    for (const d of differences) out.push(`  - ${d}`);
    out.push("");
  }
  return out.join("\n");
}

export function planJson(plans: readonly DeployPlan[], differences: readonly string[], committed: ReadonlyMap<string, DeployData> = new Map()): string {
  return (
    JSON.stringify(
      {
        schemaVersion: JSON_SCHEMA_VERSION,
        command: "plan",
        environments: plans.map((p) => ({
          environment: p.environment,
          workflowFile: p.workflowFile,
          branch: p.branch,
          phases: p.phases.map((ph) => ({ number: ph.number, kinds: ph.kinds, services: ph.units.map((u) => ({ name: u.service, kind: u.kind, dependsOn: u.dependsOn, cronjobs: u.cronjobFiles })) })),
          secretGroups: p.secretGroups.map((g) => ({ name: g.name, keys: g.keys.map((k) => k.key) })),
          sentry: sentryServices(p),
          ingress: p.ingressManifest,
          jobs: p.jobs.map((j) => j.file),
          rollback: p.rollback,
          prune: p.prune,
          ...(committed.has(p.environment) ? { removedSinceCommitted: pruneDelta(p, committed.get(p.environment)) } : {}),
        })),
        differences,
      },
      null,
      2,
    ) + "\n"
  );
}

const id = (prefix: string, name: string): string => `${prefix}${name.replace(/[^A-Za-z0-9]/g, "_")}`;

/** Mermaid `graph TD` lines of one plan: a subgraph per phase, an edge per dependency. */
function mermaidBody(plan: DeployPlan, prefix: string, indent: string): string[] {
  const lines: string[] = [];
  const names = new Set(deployed(plan));
  for (const phase of plan.phases) {
    lines.push(`${indent}subgraph ${id(prefix, `phase${phase.number}`)}["Phase ${phase.number}: ${phase.kinds.join(" + ")}"]`);
    for (const u of phase.units) lines.push(`${indent}  ${id(prefix, u.service)}["${u.service}"]`);
    lines.push(`${indent}end`);
  }
  for (const phase of plan.phases)
    for (const u of phase.units) for (const d of u.dependsOn) if (names.has(d)) lines.push(`${indent}${id(prefix, d)} --> ${id(prefix, u.service)}`);
  return lines;
}

/** One graph; with several environments, each is a subgraph holding its phases. */
export function planMermaid(plans: readonly DeployPlan[]): string {
  if (plans.length === 1) return ["graph TD", ...mermaidBody(plans[0]!, "", "  ")].join("\n") + "\n";
  const lines = ["graph TD"];
  for (const p of plans) {
    lines.push(`  subgraph ${id("env_", p.environment)}["${p.environment}"]`, ...mermaidBody(p, `${p.environment}_`, "    "), "  end");
  }
  return lines.join("\n") + "\n";
}

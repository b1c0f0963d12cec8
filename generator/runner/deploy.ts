/**
 * `deploy.mjs deploy <data>`: every service through the scheduler; on a failure, undo what the
 * run changed (by `rollback` mode) and fail; on success, the one-time jobs and (opt-in) prune.
 * The job summary says what rolled, what did not, and why.
 */
import { LABEL_REGISTRY, LABEL_SERVICE, type DeployUnitData } from "./data.ts";
import { KubeCluster } from "./kube-cluster.ts";
import { ensureNamespace } from "./namespace.ts";
import { pruneDecision, type LabelledObject } from "./prune.ts";
import { undoPlan } from "./rollback.ts";
import { type RunnerContext, cell, readVersion, tagFor } from "./runner-env.ts";
import { schedule, type ScheduleResult, type UnitOutcome } from "./schedule.ts";
import { dependencyGraph } from "./summary.ts";

export interface DeployRequest {
  /** The tag services built for this deploy run. */
  tag: string;
  /** Services that keep the tag they run (not rebuilt). */
  kept: ReadonlySet<string>;
  /** Summary heading, e.g. "Deploy" or "Redeploy of <release>". */
  title: string;
  /** Prune after success (never for a redeploy of an older release). */
  prune: boolean;
  /** Run the one-time jobs after success (a push does; a rollback does not re-run an old backfill). */
  oneTimeJobs: boolean;
}

/** The tag and kept set of a push: KEPT lists the services the change detection re-tagged. */
export function pushRequest(ctx: RunnerContext): DeployRequest {
  const sha = ctx.env.GITHUB_SHA ?? "";
  return {
    tag: tagFor(ctx.data.imageTag, sha, readVersion(ctx.data.versionFile)),
    kept: new Set((ctx.env.KEPT ?? "").split(/\s+/).filter(Boolean)),
    title: `Deploy of ${sha.slice(0, 12)}`,
    prune: ctx.data.prune,
    oneTimeJobs: true,
  };
}

function why(unit: DeployUnitData, o: UnitOutcome, kept: boolean): string {
  if (o.status === "not-applied") return "not applied: an earlier failure stopped the deploy";
  if (o.status === "apply-failed") return `apply failed: ${o.error ?? ""}`;
  if (o.status === "unchanged") return kept ? "kept the image it runs; pod template unchanged" : "pod template unchanged";
  const cause = o.created ? "new Deployment" : kept || !unit.image ? "pod template changed in the manifests" : "new image";
  return o.status === "rolled" ? cause : `${cause}; rollout failed`;
}

async function undoChanged(ctx: RunnerContext, cluster: KubeCluster, result: ScheduleResult): Promise<string[]> {
  const plan = undoPlan(result.outcomes, ctx.data.rollback);
  const lines: string[] = [];
  for (const s of plan.created) {
    ctx.log(`::warning::${s} was created by this run: no earlier revision to roll back to`);
    lines.push(`- ${s}: created by this run, left in place (no earlier revision)`);
  }
  const units = ctx.data.units.filter((u) => plan.undo.includes(u.service));
  const pool = [...units];
  const undone: string[] = [];
  const worker = async (): Promise<void> => {
    for (let u = pool.shift(); u; u = pool.shift()) if (await cluster.undo(u)) undone.push(u.service);
  };
  await Promise.all(Array.from({ length: Math.min(ctx.data.maxParallelRollouts, pool.length) }, worker));
  for (const u of units) {
    // A service with an API and a new worker: the API goes back, the new worker has nothing to go back to.
    const created = cluster.createdBy(u);
    const left = created.length ? `; ${created.join(", ")} created by this run, left in place` : "";
    lines.push(`- ${u.service}: ${undone.includes(u.service) ? "rolled back to its previous revision" : "**roll back failed**"}${left}`);
  }
  if (ctx.data.rollback === "none") lines.push("- nothing undone (`rollback: \"none\"`)");
  return lines;
}

async function runOneTimeJobs(ctx: RunnerContext, cluster: KubeCluster, tag: string): Promise<boolean> {
  for (const job of ctx.data.jobs) {
    // A Job's pod template cannot change once created: delete the old one so the backfill runs again.
    const del = await ctx.run("kubectl", ["delete", "job", job.name, "--namespace", ctx.data.namespace, "--ignore-not-found", "--wait=true"]);
    const applied = del.code === 0 ? await cluster.applyFiles(`job-${job.name}`, [job.file], cluster.values(tag), job.service) : { ok: false as const, error: del.stderr.trim() };
    if (!applied.ok) {
      ctx.log(`::error::one-time job ${job.name} failed to start: ${applied.error}`);
      return false;
    }
    ctx.log(`started one-time job ${job.name}`);
  }
  return true;
}

const PRUNED_KINDS = "deployments,statefulsets,services,cronjobs,jobs,configmaps,horizontalpodautoscalers,poddisruptionbudgets,serviceaccounts";

/** Deletes this registry's labelled objects that the deploy did not apply. */
async function prune(ctx: RunnerContext, cluster: KubeCluster): Promise<string[]> {
  const { data } = ctx;
  const selector = `${LABEL_REGISTRY}=${data.registryLabel},${LABEL_SERVICE}`;
  const listed = await ctx.run("kubectl", ["get", PRUNED_KINDS, "--namespace", data.namespace, "-l", selector, "-o", "json"]);
  if (listed.code !== 0) throw new Error(`kubectl get for prune failed: ${listed.stderr.trim()}`);
  const items = (JSON.parse(listed.stdout) as { items?: { kind: string; apiVersion: string; metadata: { name: string; labels?: Record<string, string> } }[] }).items ?? [];
  const live: LabelledObject[] = items.map((i) => ({ ref: objectRef(i.kind, i.apiVersion, i.metadata.name), service: i.metadata.labels?.[LABEL_SERVICE] ?? "" }));
  const decision = pruneDecision(live, cluster.applied, new Set(data.units.map((u) => u.service)));
  const lines: string[] = [];
  for (const o of decision.delete) {
    const del = await ctx.run("kubectl", ["delete", o.ref, "--namespace", data.namespace, "--ignore-not-found"]);
    if (del.code !== 0) throw new Error(`could not prune ${o.ref}: ${del.stderr.trim()}`);
    ctx.log(`pruned ${o.ref}: ${decision.reasons[o.ref]}`);
    lines.push(`- ${o.ref}: ${decision.reasons[o.ref]}`);
  }
  return lines;
}

/** `Deployment` + `apps/v1` -> `deployment.apps/<name>`, as kubectl apply prints it. */
export function objectRef(kind: string, apiVersion: string, name: string): string {
  const group = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";
  return `${kind.toLowerCase()}${group ? `.${group}` : ""}/${name}`;
}

export async function deploy(ctx: RunnerContext, request: DeployRequest): Promise<number> {
  const { data } = ctx;
  await ensureNamespace(ctx);
  const cluster = new KubeCluster({ data, run: ctx.run, env: ctx.env, tag: request.tag, kept: request.kept, workDir: ctx.env.RUNNER_TEMP ?? ".", log: ctx.log });
  const started = Date.now();
  const result = await schedule(data.units, cluster, data.maxParallelRollouts);
  const rows = data.units.map((u) => {
    const o = result.outcomes.get(u.service)!;
    return `| ${u.service} | ${o.status} | ${cell(cluster.tags.get(u.service) ?? "")} | ${cell(why(u, o, request.kept.has(u.service)))} |`;
  });
  const rolled = [...result.outcomes.values()].filter((o) => o.status === "rolled").length;
  const md = [`### ${request.title}: ${data.environment}`, "", `${rolled} rolled, ${[...result.outcomes.values()].filter((o) => o.status === "unchanged").length} unchanged, in ${Math.round((Date.now() - started) / 1000)} s.`, ""];
  md.push("| Service | Result | Image tag | Why |", "| --- | --- | --- | --- |", ...rows, "", ...dependencyGraph(data.units, result.outcomes), "");
  if (!result.ok) {
    const failed = data.units.filter((u) => /failed/.test(result.outcomes.get(u.service)!.status)).flatMap((u) => u.deployments);
    ctx.log(`::error::deploy failed: ${failed.join(", ")}; undoing what this run changed (rollback: ${data.rollback})`);
    md.push("#### Rollback", "", ...(await undoChanged(ctx, cluster, result)), "");
    ctx.summary(md.join("\n") + "\n");
    return 1;
  }
  const ok = request.oneTimeJobs ? await runOneTimeJobs(ctx, cluster, request.tag) : true;
  if (ok && request.prune) {
    const pruned = await prune(ctx, cluster);
    md.push("#### Pruned", "", ...(pruned.length ? pruned : ["- nothing to prune"]), "");
  }
  ctx.summary(md.join("\n") + "\n");
  return ok ? 0 : 1;
}

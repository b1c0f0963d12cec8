/**
 * The committed workflow's facts vs the plan it should implement -> findings in the registry's
 * words. Only things a reader of the registry recognises: services, secrets, Sentry, order.
 */
import type { DeployPlan, DeployUnit } from "../plan/plan.ts";
import type { DriftFinding } from "./findings.ts";
import type { ApplyFact, WorkflowFacts } from "./workflow-facts.ts";

const q = JSON.stringify;

export function compareWithPlan(file: string, actual: WorkflowFacts, plan: DeployPlan): DriftFinding[] {
  const out: DriftFinding[] = [];
  const say = (code: DriftFinding["code"], message: string): void => void out.push({ code, message: `${file}: ${message}` });

  // Build matrix: the services built, and which of them create a Sentry release.
  const matrix = new Map((actual.matrix ?? []).map((e) => [e.name, e]));
  const built = new Set(plan.builds.map((b) => b.name));
  for (const b of plan.builds) if (!matrix.has(b.name)) say("DRIFT_MATRIX_MISSING_SERVICE", `build matrix lacks ${q(b.name)}`);
  for (const name of matrix.keys()) if (!built.has(name)) say("DRIFT_MATRIX_EXTRA_SERVICE", `build matrix has ${q(name)}, which the registry does not build here`);
  for (const b of plan.builds) {
    if (!b.sentryProject || !plan.sentry) continue;
    const entry = matrix.get(b.name);
    if (entry && (!entry.sentry || !actual.createsSentryReleases)) say("DRIFT_SENTRY_RELEASE_MISSING", `Sentry release missing for ${q(b.name)}`);
    if (!actual.sentryDeploys.has(b.name)) say("DRIFT_SENTRY_DEPLOY_MISSING", `Sentry deploy not recorded for ${q(b.name)}`);
  }

  // Secrets: every group and key the registry creates in this environment.
  const wanted = new Map(plan.secretGroups.map((g) => [g.name, new Set(g.keys.map((k) => k.key))]));
  for (const [group, keys] of wanted) {
    const have = actual.secrets.get(group);
    if (!have) {
      say("DRIFT_SECRET_GROUP_NOT_CREATED", `secret ${group} is not created`);
      continue;
    }
    for (const key of keys) if (!have.has(key)) say("DRIFT_SECRET_KEY_NOT_CREATED", `secret ${group} key ${q(key)} is not created`);
    for (const key of have) if (!keys.has(key)) say("DRIFT_SECRET_KEY_EXTRA", `secret ${group} key ${q(key)} is created, but the registry does not define it`);
  }
  for (const group of actual.secrets.keys())
    if (!wanted.has(group)) say("DRIFT_SECRET_KEY_EXTRA", `secret ${group} is created, but no service deployed here uses it in the registry`);

  // Deploy: every service applied, after its dependencies have rolled out, with its cronjobs.
  const units = plan.phases.flatMap((p) => p.units);
  const applied = firstApplyByTarget(actual.applies);
  const applyOf = (u: DeployUnit): ApplyFact | undefined => applied.get(`${u.manifestsDir}/`) ?? applied.get(u.manifestsDir);
  const byName = new Map(units.map((u) => [u.service, u]));
  for (const u of units) {
    const mine = applyOf(u);
    if (!mine) {
      say("DRIFT_SERVICE_NOT_APPLIED", `${u.service} is not applied (no \`kubectl apply -f ${u.manifestsDir}/\`)`);
    } else {
      for (const depName of u.dependsOn) {
        const dep = byName.get(depName);
        const theirs = dep && applyOf(dep);
        if (!theirs) continue; // reported as not applied
        if (theirs.order > mine.order) say("DRIFT_DEPLOY_ORDER", `${u.service} is applied before ${depName}, which it depends on`);
        else if (theirs.step === mine.step && !(mine.scheduled && theirs.scheduled))
          say("DRIFT_DEPLOY_ORDER", `${u.service} is applied in the same step as ${depName}, which it depends on, before ${depName}'s rollout has finished`);
      }
    }
    const missingCronjobs = u.cronjobFiles.filter((f) => !applied.has(f));
    if (missingCronjobs.length && missingCronjobs.length === u.cronjobFiles.length) say("DRIFT_CRONJOBS_NOT_APPLIED", `cronjobs of ${u.service} are not applied`);
    else for (const f of missingCronjobs) say("DRIFT_CRONJOBS_NOT_APPLIED", `cronjob ${q(baseName(f))} of ${u.service} is not applied`);
    for (const d of u.deployments.filter((d) => !actual.rollouts.has(d)))
      say("DRIFT_ROLLOUT_WAIT_MISSING", `the rollout of ${u.deployments.length > 1 ? `${d} (${u.service})` : u.service} is not awaited (no \`kubectl rollout status deployment/${d}\`)`);
  }
  for (const j of plan.jobs) if (!applied.has(j.file)) say("DRIFT_JOB_NOT_APPLIED", `one-time job ${q(j.name)} of ${j.service} is not applied`);
  return out;
}

function firstApplyByTarget(applies: readonly ApplyFact[]): Map<string, ApplyFact> {
  const m = new Map<string, ApplyFact>();
  for (const a of applies) if (!m.has(a.target)) m.set(a.target, a);
  return m;
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1).replace(/\.ya?ml$/, "");
}

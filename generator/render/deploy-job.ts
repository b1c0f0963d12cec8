/**
 * The deploy job: cluster credentials, secrets (the runner creates the namespace first), then every service through the runner's
 * scheduler (`deploy.mjs deploy`: applied as soon as its dependencies are ready, unchanged ones not
 * rolled, a failure undone), the Sentry deploys and the post-deploy template. The per-service data
 * is in the environment's data file; the steps here are the same for any registry.
 */
import { azureLoginStep, clusterCredentialsSteps, jobPermissions } from "./azure.ts";
import { SENTRY_CLI_INSTALLED, installSentryCliStep } from "./build-job.ts";
import type { DeployPlan } from "../plan/plan.ts";
import type { PinTable } from "./pins.ts";
import { script } from "./shell.ts";
import { runnerCommand } from "./support-paths.ts";
import type { Templates } from "./templates.ts";
import { type Job, type Step, checkoutStep, secretExpr } from "./workflow.ts";

export const DEPLOY_JOB_ID = "deploy";

/** Checkout, Azure login and cluster credentials: the start of every job that talks to the cluster. */
export function clusterSteps(plan: DeployPlan, pins: PinTable, checkout: Step = checkoutStep(pins)): Step[] {
  return [checkout, azureLoginStep(plan.azureLogin, pins), ...clusterCredentialsSteps(plan, pins)];
}

/**
 * Creates every secret group (values to kubectl on stdin, never in arguments), after naming every
 * missing GitHub secret; then reads each key back. Only these two steps see the values.
 */
function secretSteps(plan: DeployPlan): Step[] {
  if (plan.secretGroups.length === 0) return [];
  const secrets = [...new Set(plan.secretGroups.flatMap((g) => g.keys.map((k) => k.secret)))].sort();
  return [
    { name: "Create Kubernetes secrets", env: Object.fromEntries(secrets.map((s) => [s, secretExpr(s)])), run: script([runnerCommand("secrets", plan)]) },
    { name: "Verify Kubernetes secrets", run: script([runnerCommand("verify-secrets", plan)]) },
  ];
}

/** The manifest variables envsubst replaces, as step environment (a secret only where it is one). */
export function manifestVariablesEnv(plan: DeployPlan): Record<string, string> {
  const env: Record<string, string> = {};
  for (const v of plan.manifestVariables) env[v.name] = "secret" in v.value ? secretExpr(v.value.secret) : v.value.text;
  return env;
}

const ROLLBACK_WORDS = { changed: "undoing what changed if one fails", failed: "undoing failed rollouts", none: "no rollback" } as const;

function deployServicesStep(plan: DeployPlan, keptExpr: string | undefined): Step {
  const services = plan.phases.flatMap((p) => p.units).length;
  return {
    name: `Deploy ${services} services in dependency order, at most ${plan.maxParallelRollouts} rollouts at once, ${ROLLBACK_WORDS[plan.rollback]}`,
    env: { ...manifestVariablesEnv(plan), ...(keptExpr ? { KEPT: keptExpr } : {}) },
    run: script([runnerCommand("deploy", plan)]),
  };
}

function sentryDeploySteps(plan: DeployPlan): Step[] {
  const sentry = plan.sentry;
  if (!sentry || !plan.builds.some((b) => b.sentryProject)) return [];
  return [
    installSentryCliStep(plan),
    {
      name: "Record Sentry deploys",
      if: SENTRY_CLI_INSTALLED,
      env: { SENTRY_AUTH_TOKEN: secretExpr(sentry.authTokenSecret), SENTRY_ORG: sentry.organization },
      run: script([runnerCommand("sentry-deploys", plan)]),
      // Best effort, on purpose: every service is already rolled out when this runs, and release
      // metadata must never turn a successful deploy into a failed one.
      "continue-on-error": true,
    },
  ];
}

/**
 * Room for the slowest chain of rollouts (each service's timeout, in dependency order), the same
 * again for a rollback, a second per apply, and fifteen minutes for everything else.
 */
export function deployTimeoutMinutes(plan: DeployPlan): number {
  const units = plan.phases.flatMap((p) => p.units);
  const byName = new Map(units.map((u) => [u.service, u]));
  const chain = new Map<string, number>();
  const longest = (name: string): number => {
    const known = chain.get(name);
    if (known !== undefined) return known;
    const u = byName.get(name)!;
    chain.set(name, 0);
    const value = u.timeoutSeconds + Math.max(0, ...u.dependsOn.filter((d) => byName.has(d)).map(longest));
    chain.set(name, value);
    return value;
  };
  const critical = Math.max(0, ...units.map((u) => longest(u.service)));
  const slowest = Math.max(0, ...units.map((u) => u.timeoutSeconds));
  return Math.ceil((critical + slowest + units.length + plan.jobs.length) / 60) + 15;
}

/**
 * `needs` are the build (and re-tag) jobs: the deploy never starts when one of them failed. `if`
 * replaces the default `success()` when some of them may be skipped (affected builds). `keptExpr`
 * lists the services the change detection did not rebuild: they keep the image they run.
 */
export function renderDeployJob(plan: DeployPlan, pins: PinTable, templates: Templates, needs: string[], condition?: string, keptExpr?: string): Job {
  const steps = [
    ...clusterSteps(plan, pins),
    ...secretSteps(plan),
    deployServicesStep(plan, keptExpr),
    ...sentryDeploySteps(plan),
    ...templates.postDeploy,
  ];
  return {
    name: `Deploy to ${plan.environment}`,
    ...(needs.length ? { needs } : {}),
    ...(condition ? { if: condition } : {}),
    "runs-on": "ubuntu-latest",
    environment: plan.githubEnvironment,
    permissions: jobPermissions(plan.azureLogin),
    "timeout-minutes": deployTimeoutMinutes(plan),
    env: { NAMESPACE: plan.namespace },
    steps,
  };
}

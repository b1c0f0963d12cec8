/**
 * The deploy job: cluster credentials, namespace, cluster prerequisites (from templates/),
 * secrets, manifest rendering, then the deploy phases, ingress and one-time jobs.
 */
import { azureLoginStep, clusterCredentialsSteps, jobPermissions } from "./azure.ts";
import { SENTRY_CLI_INSTALLED, installSentryCliStep, readVersionLine } from "./build-job.ts";
import { type DeployPhase, type DeployPlan, MANIFEST_GLOBS } from "../plan/plan.ts";
import type { PinTable } from "./pins.ts";
import { planSummaryMarkdown } from "../plan/plan-view.ts";
import { parallelLines, script, shq } from "./shell.ts";
import type { Templates } from "./templates.ts";
import { type Job, type Step, checkoutStep, secretExpr } from "./workflow.ts";

export const DEPLOY_JOB_ID = "deploy";

const namespaceStep: Step = {
  name: "Create namespace",
  run: script(['kubectl create namespace "$NAMESPACE" --dry-run=client -o yaml | kubectl apply -f -']),
};

/**
 * Creates every secret group idempotently. Values go through process substitution, not
 * --from-literal, so they never appear in a process's arguments. Every missing GitHub secret is
 * named before anything is created, so one run reports them all.
 */
function createSecretsStep(plan: DeployPlan): Step | undefined {
  if (plan.secretGroups.length === 0) return undefined;
  const secrets = [...new Set(plan.secretGroups.flatMap((g) => g.keys.map((k) => k.secret)))].sort();
  const lines = ["missing=()"];
  for (const g of plan.secretGroups)
    for (const k of g.keys)
      lines.push(`if [ -z "\${${k.secret}:-}" ]; then missing+=(${shq(`${g.name}/${k.key} (GitHub secret ${k.secret})`)}); fi`);
  lines.push(
    'if [ "${#missing[@]}" -gt 0 ]; then',
    '  for m in "${missing[@]}"; do echo "::error::secret value missing: $m"; done',
    "  exit 1",
    "fi",
  );
  for (const g of plan.secretGroups) {
    lines.push(`kubectl create secret generic ${shq(g.name)} --namespace "$NAMESPACE" \\`);
    for (const k of g.keys) lines.push(`  --from-file=${shq(k.key)}=<(printf '%s' "\$${k.secret}") \\`);
    lines.push("  --dry-run=client -o yaml | kubectl apply -f -");
  }
  return { name: "Create Kubernetes secrets", env: Object.fromEntries(secrets.map((s) => [s, secretExpr(s)])), run: script(lines) };
}

/** Reads every key back from the cluster and names each one that is missing or empty. */
function verifySecretsStep(plan: DeployPlan): Step | undefined {
  if (plan.secretGroups.length === 0) return undefined;
  const lines = [
    "missing=0",
    "require_key() {",
    "  local value",
    '  if ! value="$(kubectl get secret "$1" --namespace "$NAMESPACE" -o "jsonpath={.data.$2}")" || [ -z "$value" ]; then',
    '    echo "::error::secret $1 has no key $2"',
    "    missing=$((missing + 1))",
    "  fi",
    "}",
  ];
  for (const g of plan.secretGroups) for (const k of g.keys) lines.push(`require_key ${shq(g.name)} ${shq(k.key.replace(/\./g, "\\."))}`);
  lines.push('if [ "$missing" -gt 0 ]; then echo "$missing secret keys are missing"; exit 1; fi');
  return { name: "Verify Kubernetes secrets", run: script(lines) };
}

/** envsubst replaces only the registry's variables, so any other `$` in a manifest survives. */
function renderManifestsStep(plan: DeployPlan): Step {
  const env: Record<string, string> = {};
  for (const v of plan.manifestVariables) env[v.name] = "secret" in v.value ? secretExpr(v.value.secret) : v.value.text;
  const shellFormat = plan.manifestVariables.map((v) => `\${${v.name}}`).join(" ");
  return {
    name: "Render manifests",
    env,
    run: script([
      "shopt -s nullglob",
      "files=(",
      ...plan.manifestFiles.map((f) => `  ${f.split("/").map((part) => ((MANIFEST_GLOBS as readonly string[]).includes(part) ? part : shq(part))).join("/")}`),
      ")",
      'for file in "${files[@]}"; do',
      "  # shellcheck disable=SC2016 # the variable names are for envsubst, not the shell",
      `  envsubst ${shq(shellFormat)} < "$file" > "$file.rendered"`,
      '  mv "$file.rendered" "$file"',
      "done",
    ]),
  };
}

/** Rollouts awaited at once; a phase larger than this waits in batches. */
export const MAX_PARALLEL_ROLLOUTS = 16;

/**
 * One step per phase: apply every manifest of the phase, then wait for all its rollouts at
 * once (up to MAX_PARALLEL_ROLLOUTS), so a phase costs its slowest rollout rather than the sum;
 * every failed rollout is named.
 */
export function phaseStep(phase: DeployPhase, total: number): Step {
  const lines: string[] = [];
  for (const u of phase.units) {
    lines.push(`kubectl apply --namespace "$NAMESPACE" -f ${shq(`${u.manifestsDir}/`)}`);
    for (const f of u.cronjobFiles) lines.push(`kubectl apply --namespace "$NAMESPACE" -f ${shq(f)}`);
  }
  lines.push(
    ...parallelLines(
      phase.units.map((u) => ({ name: u.deployment, command: `kubectl rollout status ${shq(`deployment/${u.deployment}`)} --namespace "$NAMESPACE" --timeout=${u.timeoutSeconds}s` })),
      MAX_PARALLEL_ROLLOUTS,
      "rollout failed",
    ),
  );
  const services = phase.units.map((u) => u.service).join(", ");
  return { name: `Deploy phase ${phase.number} of ${total}: ${phase.kinds.join(" + ")} (${services})`, run: script(lines) };
}

function ingressStep(plan: DeployPlan): Step {
  return { name: "Apply ingress", run: script([`kubectl apply --namespace "$NAMESPACE" -f ${shq(plan.ingressManifest)}`]) };
}

/**
 * A Job's pod template cannot change once created, and a new image tag changes it: the old Job
 * is deleted first so the backfill runs again with the new image. The deploy does not wait for
 * it to finish; a backfill may take longer than a deploy should.
 */
function oneTimeJobsStep(plan: DeployPlan): Step | undefined {
  if (plan.jobs.length === 0) return undefined;
  const lines = plan.jobs.flatMap((j) => [
    `kubectl delete job ${shq(j.name)} --namespace "$NAMESPACE" --ignore-not-found --wait=true`,
    `kubectl apply --namespace "$NAMESPACE" -f ${shq(j.file)}`,
  ]);
  return { name: "Run one-time jobs", run: script(lines) };
}

function sentryDeploySteps(plan: DeployPlan): Step[] {
  const sentry = plan.sentry;
  const projects = plan.builds.flatMap((b) => (b.sentryProject ? [{ service: b.name, project: b.sentryProject }] : []));
  if (!sentry || projects.length === 0) return [];
  return [
    installSentryCliStep(),
    {
      name: "Record Sentry deploys",
      if: SENTRY_CLI_INSTALLED,
      env: { SENTRY_AUTH_TOKEN: secretExpr(sentry.authTokenSecret), SENTRY_ORG: sentry.organization },
      run: script([
        readVersionLine(plan.versionFile),
        // `releases new` first (a no-op when the build created it): a re-tagged service has no
        // release for a new VERSION, and its deploy must still be recorded. One service's
        // failure (a missing Sentry project) is a warning and does not stop the others.
        ...projects.flatMap((p) => {
          const release = `"${p.service}@v\${VERSION}${sentry.releaseSuffix}"`;
          return [
            `if ! { sentry-cli releases new ${release} --project ${shq(p.project)} && sentry-cli releases deploys ${release} new --env ${shq(sentry.environment)} --project ${shq(p.project)}; }; then`,
            `  echo ${shq(`::warning::Sentry deploy not recorded for ${p.service}`)}`,
            "fi",
          ];
        }),
      ]),
      // Best effort, on purpose: every service is already rolled out when this runs, and release
      // metadata must never turn a successful deploy into a failed one.
      "continue-on-error": true,
    },
  ];
}

/** The deploy plan in the job summary; a quoted heredoc, so nothing in it is expanded. */
function planSummaryStep(plan: DeployPlan): Step {
  return { name: "Write the deploy plan to the job summary", run: script([`cat >> "$GITHUB_STEP_SUMMARY" <<'EOF'`, ...planSummaryMarkdown(plan).trimEnd().split("\n"), "EOF"]) };
}

/**
 * Room for every phase's rollouts (batches of MAX_PARALLEL_ROLLOUTS, each as slow as its slowest),
 * about a second per `kubectl apply`, and fifteen minutes for everything else (cluster
 * prerequisites, secrets, templates, Sentry).
 */
function deployTimeoutMinutes(plan: DeployPlan): number {
  let seconds = 0;
  for (const p of plan.phases) {
    for (let i = 0; i < p.units.length; i += MAX_PARALLEL_ROLLOUTS) seconds += Math.max(...p.units.slice(i, i + MAX_PARALLEL_ROLLOUTS).map((u) => u.timeoutSeconds));
    seconds += p.units.reduce((n, u) => n + 1 + u.cronjobFiles.length, 0);
  }
  return Math.ceil(seconds / 60) + 15;
}

/**
 * `needs` are the build (and re-tag) jobs: the deploy never starts when one of them failed. `if`
 * replaces the default `success()` when some of them may be skipped (affected builds).
 */
export function renderDeployJob(plan: DeployPlan, pins: PinTable, templates: Templates, needs: string[], condition?: string): Job {
  const steps = [
    checkoutStep(pins),
    azureLoginStep(plan.azureLogin, pins),
    ...clusterCredentialsSteps(plan, pins),
    namespaceStep,
    ...templates.clusterPrerequisites,
    createSecretsStep(plan),
    verifySecretsStep(plan),
    renderManifestsStep(plan),
    ...plan.phases.map((p) => phaseStep(p, plan.phases.length)),
    ingressStep(plan),
    oneTimeJobsStep(plan),
    ...sentryDeploySteps(plan),
    planSummaryStep(plan),
    ...templates.postDeploy,
  ].filter((s): s is Step => s !== undefined);
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

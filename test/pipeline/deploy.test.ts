/**
 * The generated deploy job of both default workflows, run in the local harness with fake
 * kubectl / az / sentry-cli and the generated runner bundle: secrets, dependency order, rollout
 * waits, unchanged services left alone, rollback of a failed deploy, and which step sees which secret.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { callsOf } from "../harness/calls.ts";
import { runJob } from "../harness/run-job.ts";
import type { FailRule, JobRunResult, KubeObject, ToolCall } from "../harness/run-job.ts";
import { makeWorkdir, type Workdir } from "../harness/test-workdir.ts";
import { PRODUCTION, STAGING, defaultRegistry, generateWorkflows, parseWorkflowText } from "./generated.ts";
import { SHA, declaredSecrets, deployCheckout, fakeSecrets, offline, planFor, pushContext, step } from "./support.ts";

const files = generateWorkflows();
const workdirs: Workdir[] = [];
afterAll(() => {
  for (const w of workdirs) w.remove();
});

const NEXT_SHA = "fedcba9876543210fedcba9876543210fedcba98";
const DEPLOY_STEP = /^Deploy \d+ services in dependency order/;

function needsOk(kept = ""): Record<string, { result: string; outputs: Record<string, string> }> {
  return { changes: { result: "success", outputs: { retag: kept } }, build: { result: "success", outputs: {} }, retag: { result: kept ? "success" : "skipped", outputs: {} } };
}

/** The deployment's image tag in the fake cluster. */
function tagOf(objects: readonly KubeObject[], deployment: string): string {
  const d = objects.find((o) => o.kind === "Deployment" && o.name === deployment)!;
  const image = (d.manifest as { spec: { template: { spec: { containers: { image: string }[] } } } }).spec.template.spec.containers[0]!.image;
  return image.slice(image.lastIndexOf(":") + 1);
}

/** The apply of one service's objects: the runner labels them with the service. */
function applyOf(result: JobRunResult, service: string): ToolCall | undefined {
  return callsOf(result.calls, "kubectl", "apply").find((c) => c.stdin?.includes(`gen-workflows.dev/service: ${service}\n`));
}

describe.each([
  { environment: "production", file: PRODUCTION, branch: "main" },
  { environment: "staging", file: STAGING, branch: "staging" },
])("$file, job deploy", ({ environment, file, branch }) => {
  const workflowText = offline(files.get(file)!);
  const plan = planFor(defaultRegistry, environment);
  const units = plan.phases.flatMap((p) => p.units);
  const secrets = fakeSecrets(workflowText);
  const jobSteps = parseWorkflowText(workflowText).jobs.deploy!.steps;

  async function deploy(options: { fail?: FailRule[]; secrets?: Record<string, string>; cluster?: readonly KubeObject[]; kept?: string; sha?: string } = {}): Promise<JobRunResult> {
    const checkout = makeWorkdir(deployCheckout(plan, files));
    workdirs.push(checkout);
    const context = pushContext(branch, options.secrets ?? secrets, { needs: needsOk(options.kept) });
    context.github = { ...context.github, sha: options.sha ?? SHA };
    return runJob({ workflowText, jobId: "deploy", workdir: checkout.dir, context, fail: options.fail ?? [], ...(options.cluster ? { cluster: options.cluster } : {}) });
  }

  let first: JobRunResult;
  beforeAll(async () => {
    first = await deploy();
  });

  test("GIVEN an empty cluster and every secret WHEN the deploy job runs THEN every step succeeds and the summary lists every service as rolled", () => {
    expect(first.steps.filter((s) => s.outcome !== "success").map((s) => `${s.name}: ${s.stdout}${s.stderr}`)).toEqual([]);
    expect(first.conclusion).toBe("success");
    expect(first.summary).toContain(`${units.length} rolled, 0 unchanged`);
    for (const u of units) expect(first.summary).toContain(`| ${u.service} | rolled |`);
  });

  test("GIVEN the registry's secret groups WHEN the deploy job runs THEN every key of every group exists in the cluster with its GitHub secret's value", () => {
    expect(plan.secretGroups.length).toBeGreaterThan(0);
    for (const group of plan.secretGroups) {
      const secret = first.kubeObjects.find((o) => o.kind === "Secret" && o.name === group.name && o.namespace === plan.namespace);
      expect(secret, `secret ${group.name}`).toBeDefined();
      const data = secret!.manifest.data as Record<string, string>;
      expect(Object.keys(data).sort()).toEqual(group.keys.map((k) => k.key).sort());
      for (const k of group.keys) expect(Buffer.from(data[k.key]!, "base64").toString("utf8")).toBe(secrets[k.secret]);
    }
  });

  test("GIVEN dependencies WHEN the deploy job runs THEN no service is applied before every dependency's rollout finished", () => {
    const rolloutOf = (deployment: string): ToolCall => callsOf(first.calls, "kubectl", "rollout", "status").find((c) => c.args.includes(`deployment/${deployment}`))!;
    const byName = new Map(units.map((u) => [u.service, u]));
    let checked = 0;
    for (const unit of units)
      for (const dep of unit.dependsOn) {
        expect(applyOf(first, unit.service)!.startedMs, `${unit.service} applied before ${dep} rolled out`).toBeGreaterThanOrEqual(rolloutOf(byName.get(dep)!.deployments[0]!).endedMs);
        checked++;
      }
    expect(checked).toBeGreaterThan(20);
  });

  test("GIVEN every deployment WHEN the deploy job runs THEN each rollout is awaited once, with its timeout, and every applied object carries the registry's and its service's labels", () => {
    const waits = callsOf(first.calls, "kubectl", "rollout", "status").filter((c) => DEPLOY_STEP.test(c.step));
    expect(waits.map((c) => c.args[2]).sort()).toEqual(units.map((u) => `deployment/${u.deployments[0]!}`).sort());
    for (const u of units) expect(waits.find((c) => c.args[2] === `deployment/${u.deployments[0]!}`)!.args).toContain(`--timeout=${u.timeoutSeconds}s`);
    const applied = first.kubeObjects.filter((o) => o.namespace === plan.namespace && o.kind !== "Secret");
    expect(applied.map((o) => o.kind)).toEqual(expect.arrayContaining(["Deployment", "CronJob", "Job"]));
    for (const o of applied) {
      const labels = (o.manifest.metadata as { labels?: Record<string, string> }).labels ?? {};
      expect(labels["gen-workflows.dev/registry"], `${o.kind}/${o.name}`).toBe("services.config.ts");
      expect(units.map((u) => u.service).concat(plan.jobs.map((j) => j.service))).toContain(labels["gen-workflows.dev/service"]);
    }
  });

  test("GIVEN any step WHEN the deploy job runs THEN it sees only the secrets its env/with declares, and no secret is pasted into a script", () => {
    expect(first.steps.length).toBe(jobSteps.length);
    for (const [i, s] of first.steps.entries()) {
      const declared = declaredSecrets(jobSteps[i]!);
      expect(s.secretNamesVisible.filter((n) => !declared.includes(n)), `step "${s.name}"`).toEqual([]);
      expect(s.secretNamesInScript, `step "${s.name}"`).toEqual([]);
    }
    expect(step(first, "Create Kubernetes secrets").secretNamesVisible).toContain("STRIPE_SECRET_KEY");
    // Secret group values reach kubectl on stdin, never as arguments.
    const values = plan.secretGroups.flatMap((g) => g.keys.map((k) => secrets[k.secret]!));
    for (const c of first.calls) for (const value of values) expect(c.args.join(" ")).not.toContain(value);
  });

  test("GIVEN Sentry services WHEN the deploy job runs THEN each one's release is ensured and its deploy recorded", () => {
    const sentryCalls = callsOf(first.calls, "sentry-cli", "releases");
    const projects = plan.builds.filter((b) => b.sentryProject);
    expect(projects.length).toBeGreaterThan(5);
    for (const b of projects) {
      const release = `${b.name}@v1.4.2${plan.sentry!.releaseSuffix}`;
      const mine = sentryCalls.filter((c) => c.args.includes(release)).map((c) => c.args.slice(0, 3).concat(c.args.slice(3).filter((a) => a === "new")));
      expect(mine, b.name).toEqual([["releases", "new", release], ["releases", "deploys", release, "new"]]);
    }
  });

  test("GIVEN two GitHub secrets are missing WHEN the deploy job runs THEN the secrets step names both before failing and creates nothing", async () => {
    const result = await deploy({ secrets: { ...secrets, STRIPE_WEBHOOK_SECRET: "", OPENAI_API_KEY: "" } });
    const s = step(result, "Create Kubernetes secrets");
    expect(s.outcome).toBe("failure");
    expect(s.stdout).toContain("::error::secret value missing: openai-secrets/openai-api-key (GitHub secret OPENAI_API_KEY)");
    expect(s.stdout).toContain("::error::secret value missing: stripe-secrets/stripe-webhook-secret (GitHub secret STRIPE_WEBHOOK_SECRET)");
    expect(result.kubeObjects.filter((o) => o.kind === "Secret")).toEqual([]);
    expect(callsOf(result.calls, "kubectl", "apply").filter((c) => DEPLOY_STEP.test(c.step))).toEqual([]);
  });
});

describe("deploy-aks.yml after an earlier deploy", () => {
  const workflowText = offline(files.get(PRODUCTION)!);
  const plan = planFor(defaultRegistry, "production");
  const units = plan.phases.flatMap((p) => p.units);
  const built = plan.builds.map((b) => b.name);
  const secrets = fakeSecrets(workflowText);
  let deployed: readonly KubeObject[];

  async function push(options: { kept: string[]; fail?: FailRule[]; workflow?: string; generated?: ReadonlyMap<string, string>; edit?: (files: Record<string, string>) => void }): Promise<JobRunResult> {
    const tree = deployCheckout(plan, options.generated ?? files);
    options.edit?.(tree);
    const checkout = makeWorkdir(tree);
    workdirs.push(checkout);
    const context = pushContext("main", secrets, { needs: needsOk(options.kept.join(" ")) });
    context.github = { ...context.github, sha: NEXT_SHA };
    return runJob({ workflowText: options.workflow ?? workflowText, jobId: "deploy", workdir: checkout.dir, context, fail: options.fail ?? [], cluster: deployed });
  }

  beforeAll(async () => {
    const checkout = makeWorkdir(deployCheckout(plan, files));
    workdirs.push(checkout);
    const first = await runJob({ workflowText, jobId: "deploy", workdir: checkout.dir, context: pushContext("main", secrets, { needs: needsOk() }) });
    expect(first.conclusion).toBe("success");
    deployed = first.kubeObjects;
  });

  test("GIVEN a push that rebuilt one backend (the others re-tagged) WHEN the deploy job runs THEN exactly one Deployment rolls and the others keep the image they run", async () => {
    const result = await push({ kept: built.filter((n) => n !== "ats-service") });
    expect(result.conclusion).toBe("success");
    const waits = callsOf(result.calls, "kubectl", "rollout", "status").filter((c) => DEPLOY_STEP.test(c.step));
    expect(waits.map((c) => c.args[2])).toEqual(["deployment/ats-service"]);
    expect(tagOf(result.kubeObjects, "ats-service")).toBe(NEXT_SHA);
    for (const u of units.filter((x) => x.service !== "ats-service" && built.includes(x.service))) expect(tagOf(result.kubeObjects, u.deployments[0]!), u.service).toBe(SHA);
    expect(result.summary).toContain(`1 rolled, ${units.length - 1} unchanged`);
    expect(result.summary).toContain("| ats-service | rolled |");
    expect(result.summary).toContain("| billing-service | unchanged |");
  });

  test("GIVEN nothing rebuilt WHEN one service's pod template and another's replicas changed in the manifests THEN only the first rolls, and the second is applied without a rollout", async () => {
    const result = await push({
      kept: built,
      edit: (tree) => {
        const ats = "infra/k8s/ats-service/deployment.yaml";
        tree[ats] = tree[ats]!.replace("          image:", "          env:\n            - name: LOG_LEVEL\n              value: debug\n          image:");
        const billing = "infra/k8s/billing-service/deployment.yaml";
        tree[billing] = tree[billing]!.replace("spec:\n  template:", "spec:\n  replicas: 2\n  template:");
      },
    });
    expect(result.conclusion).toBe("success");
    const waits = callsOf(result.calls, "kubectl", "rollout", "status").filter((c) => DEPLOY_STEP.test(c.step));
    expect(waits.map((c) => c.args[2])).toEqual(["deployment/ats-service"]);
    expect(tagOf(result.kubeObjects, "ats-service")).toBe(SHA);
    expect((result.kubeObjects.find((o) => o.name === "billing-service" && o.kind === "Deployment")!.manifest as { spec: { replicas: number } }).spec.replicas).toBe(2);
    expect(result.summary).toContain("| ats-service | rolled | " + SHA + " | pod template changed in the manifests |");
    expect(result.summary).toContain("| billing-service | unchanged | " + SHA + " | kept the image it runs; pod template unchanged |");
  });

  const firstBackend = units.find((u) => u.kind === "backend")!;
  const rolloutFails: FailRule = { tool: "kubectl", argsInclude: ["rollout", "status", `deployment/${firstBackend.deployments[0]!}`], stderr: "error: timed out waiting for the condition", times: 1 };

  test("GIVEN every image rebuilt WHEN a backend's rollout fails THEN every Deployment the run changed is rolled back and named, and no later service is applied", async () => {
    const result = await push({ kept: [], fail: [rolloutFails] });
    expect(result.conclusion).toBe("failure");
    const failedStep = result.steps.find((s) => s.outcome === "failure")!;
    expect(failedStep.name).toMatch(DEPLOY_STEP);
    expect(failedStep.stdout).toContain(`::error::rollout failed: ${firstBackend.deployments[0]!}`);
    // Changed by this run: every built service it applied (the infrastructure's images did not change).
    const changed = units.filter((u) => built.includes(u.service) && applyOf(result, u.service) !== undefined);
    expect(changed.length).toBeGreaterThanOrEqual(units.filter((u) => u.kind === "backend").length);
    const undone = callsOf(result.calls, "kubectl", "rollout", "undo").map((c) => c.args[2]);
    expect(undone.sort()).toEqual(changed.map((u) => `deployment/${u.deployments[0]!}`).sort());
    for (const u of changed) {
      expect(tagOf(result.kubeObjects, u.deployments[0]!), u.service).toBe(SHA);
      expect(failedStep.stdout).toContain(`::warning::rolled back ${u.deployments[0]!} to its previous revision`);
      expect(result.summary).toContain(`- ${u.service}: rolled back to its previous revision`);
    }
    // Nothing that depends on the failed service is applied, and whatever was applied had every dependency
    // rolled out first. (That nothing new starts once the runner knows of the failure is a property of the
    // scheduler, tested on a virtual clock in test/runner/schedule.test.ts: here the fake kubectl's exit and
    // the runner noticing it are two processes apart, so wall-clock order proves nothing on a loaded machine.)
    for (const u of units.filter((x) => x.dependsOn.includes(firstBackend.service) || x.kind === "frontend")) expect(applyOf(result, u.service), u.service).toBeUndefined();
    const waits = callsOf(result.calls, "kubectl", "rollout", "status");
    const byName = new Map(units.map((u) => [u.service, u]));
    for (const u of units) {
      const apply = applyOf(result, u.service);
      if (!apply) continue;
      for (const dep of u.dependsOn) {
        // Ready means rolled out, or applied without a change (then there is no rollout to wait for).
        const depWait = waits.find((c) => c.args.includes(`deployment/${byName.get(dep)!.deployments[0]!}`));
        const readyAt = depWait ? depWait.endedMs : applyOf(result, dep)?.endedMs;
        expect(depWait?.exitCode ?? 0, `${u.service} applied though ${dep} did not roll out`).toBe(0);
        expect(readyAt, `${u.service} applied though ${dep} was never applied`).toBeDefined();
        expect(apply.startedMs, `${u.service} applied before ${dep} was ready`).toBeGreaterThanOrEqual(readyAt!);
      }
    }
    expect(undone).not.toContain("deployment/redis");
  });

  test("GIVEN rollback: \"failed\" WHEN a backend's rollout fails THEN only it is rolled back", async () => {
    const registry = { ...defaultRegistry, project: { ...defaultRegistry.project, rollback: "failed" as const } };
    const generated = generateWorkflows(registry);
    const result = await push({ kept: [], fail: [rolloutFails], workflow: offline(generated.get(PRODUCTION)!), generated });
    expect(result.conclusion).toBe("failure");
    expect(callsOf(result.calls, "kubectl", "rollout", "undo").map((c) => c.args[2])).toEqual([`deployment/${firstBackend.deployments[0]!}`]);
    expect(tagOf(result.kubeObjects, firstBackend.deployments[0]!)).toBe(SHA);
    expect(tagOf(result.kubeObjects, units.filter((u) => u.kind === "backend")[1]!.deployments[0]!)).toBe(NEXT_SHA);
  });

  test("GIVEN a secret group is missing in the cluster WHEN the verify step runs THEN it names every missing key, then fails", async () => {
    const stripe = plan.secretGroups.find((g) => g.name === "stripe-secrets")!;
    const result = await push({ kept: built, fail: [{ tool: "kubectl", argsInclude: ["get", "secret", "stripe-secrets"], stderr: 'Error from server (NotFound): secrets "stripe-secrets" not found' }] });
    const s = step(result, "Verify Kubernetes secrets");
    expect(s.outcome).toBe("failure");
    for (const k of stripe.keys) expect(s.stdout).toContain(`::error::secret stripe-secrets has no key ${k.key}`);
    expect(s.stdout).toContain(`${stripe.keys.length} secret keys are missing`);
    expect(callsOf(result.calls, "kubectl", "apply").filter((c) => DEPLOY_STEP.test(c.step))).toEqual([]);
  });
});

describe("deploy job condition (affected builds)", () => {
  const workflowText = offline(files.get(STAGING)!);
  const plan = planFor(defaultRegistry, "staging");
  const secrets = fakeSecrets(workflowText);
  const run = async (needs: Record<string, { result: string; outputs: Record<string, string> }>): Promise<JobRunResult> => {
    const checkout = makeWorkdir(deployCheckout(plan, files));
    workdirs.push(checkout);
    return runJob({ workflowText, jobId: "deploy", workdir: checkout.dir, context: pushContext("staging", secrets, { needs }), fail: [{ tool: "kubectl", argsInclude: ["get", "namespace"], stderr: "stop here" }, { tool: "kubectl", argsInclude: ["create"], stderr: "stop here" }] });
  };
  const NEEDS_OK = { changes: { result: "success", outputs: {} }, build: { result: "success", outputs: {} }, retag: { result: "skipped", outputs: {} } };

  test.each([
    { when: "a build failed", needs: { ...NEEDS_OK, build: { result: "failure", outputs: {} } }, runs: false },
    { when: "the re-tag failed", needs: { ...NEEDS_OK, retag: { result: "failure", outputs: {} } }, runs: false },
    { when: "the change detection failed (builds skipped)", needs: { changes: { result: "failure", outputs: {} }, build: { result: "skipped", outputs: {} }, retag: { result: "skipped", outputs: {} } }, runs: false },
    { when: "a build was cancelled", needs: { ...NEEDS_OK, build: { result: "cancelled", outputs: {} } }, runs: false },
    { when: "nothing needed building (build skipped, all re-tagged)", needs: { ...NEEDS_OK, build: { result: "skipped", outputs: {} }, retag: { result: "success", outputs: {} } }, runs: true },
  ])("GIVEN $when WHEN the deploy job is considered THEN it runs: $runs", async ({ needs, runs }) => {
    const result = await run(needs);
    expect(result.conclusion === "skipped" ? false : true).toBe(runs);
  });
});

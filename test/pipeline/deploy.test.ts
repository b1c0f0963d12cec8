/**
 * The generated deploy job of both default workflows, run in the local harness with fake
 * kubectl / az / sentry-cli: secrets, phase order, rollout waits, failure semantics and which
 * step sees which secret.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { callsOf } from "../harness/calls.ts";
import { runJob } from "../harness/run-job.ts";
import type { FailRule, JobRunResult, ToolCall } from "../harness/run-job.ts";
import { makeWorkdir, type Workdir } from "../harness/test-workdir.ts";
import { PRODUCTION, STAGING, defaultRegistry, generateWorkflows, parseWorkflowText } from "./generated.ts";
import { declaredSecrets, deployCheckout, fakeSecrets, offline, planFor, pushContext, step } from "./support.ts";

const files = generateWorkflows();
const workdirs: Workdir[] = [];
afterAll(() => {
  for (const w of workdirs) w.remove();
});

const NEEDS_OK = {
  changes: { result: "success", outputs: {} },
  build: { result: "success", outputs: {} },
  retag: { result: "skipped", outputs: {} },
};

describe.each([
  { environment: "production", file: PRODUCTION, branch: "main" },
  { environment: "staging", file: STAGING, branch: "staging" },
])("$file, job deploy", ({ environment, file, branch }) => {
  const workflowText = offline(files.get(file)!);
  const plan = planFor(defaultRegistry, environment);
  const secrets = fakeSecrets(workflowText);
  const jobSteps = parseWorkflowText(workflowText).jobs.deploy!.steps;

  async function deploy(options: { fail?: FailRule[]; secrets?: Record<string, string> } = {}): Promise<JobRunResult> {
    const checkout = makeWorkdir(deployCheckout(plan));
    workdirs.push(checkout);
    return runJob({
      workflowText,
      jobId: "deploy",
      workdir: checkout.dir,
      context: pushContext(branch, options.secrets ?? secrets, { needs: NEEDS_OK }),
      fail: options.fail ?? [],
    });
  }

  const firstBackend = plan.phases.find((p) => p.kinds.includes("backend"))!.units[0]!;
  const rolloutFailure: FailRule = { tool: "kubectl", argsInclude: ["rollout", "status", `deployment/${firstBackend.deployment}`], stderr: "error: timed out waiting for the condition" };
  let ok: JobRunResult;
  let failed: JobRunResult;
  beforeAll(async () => {
    [ok, failed] = await Promise.all([deploy(), deploy({ fail: [rolloutFailure] })]);
  });

  test("GIVEN every secret WHEN the deploy job runs THEN every step succeeds", () => {
    expect(ok.steps.filter((s) => s.outcome !== "success").map((s) => `${s.name}: ${s.stdout}${s.stderr}`)).toEqual([]);
    expect(ok.conclusion).toBe("success");
  });

  test("GIVEN the registry's secret groups WHEN the deploy job runs THEN every key of every group exists in the cluster with its GitHub secret's value", () => {
    expect(plan.secretGroups.length).toBeGreaterThan(0);
    for (const group of plan.secretGroups) {
      const secret = ok.kubeObjects.find((o) => o.kind === "Secret" && o.name === group.name && o.namespace === plan.namespace);
      expect(secret, `secret ${group.name}`).toBeDefined();
      const data = secret!.manifest.data as Record<string, string>;
      expect(Object.keys(data).sort()).toEqual(group.keys.map((k) => k.key).sort());
      for (const k of group.keys) expect(Buffer.from(data[k.key]!, "base64").toString("utf8")).toBe(secrets[k.secret]);
    }
  });

  test("GIVEN dependencies WHEN the deploy job runs THEN no service is applied before every dependency's rollout finished", () => {
    const applyOf = (dir: string): ToolCall => callsOf(ok.calls, "kubectl", "apply").find((c) => c.args.includes(`${dir}/`))!;
    const rolloutOf = (deployment: string): ToolCall => callsOf(ok.calls, "kubectl", "rollout", "status").find((c) => c.args.includes(`deployment/${deployment}`))!;
    const units = plan.phases.flatMap((p) => p.units);
    const byName = new Map(units.map((u) => [u.service, u]));
    let checked = 0;
    for (const unit of units)
      for (const dep of unit.dependsOn) {
        const apply = applyOf(unit.manifestsDir);
        const depRollout = rolloutOf(byName.get(dep)!.deployment);
        expect(apply.startedMs, `${unit.service} applied before ${dep} rolled out`).toBeGreaterThanOrEqual(depRollout.endedMs);
        checked++;
      }
    expect(checked).toBeGreaterThan(20);
  });

  test("GIVEN the phases WHEN the deploy job runs THEN each phase step applies exactly its services, in phase order", () => {
    const phaseSteps = ok.steps.filter((s) => s.name.startsWith("Deploy phase "));
    expect(phaseSteps.map((s) => s.name)).toEqual(plan.phases.map((p) => expect.stringContaining(`Deploy phase ${p.number} of ${plan.phases.length}:`)));
    for (const [i, phase] of plan.phases.entries()) {
      const applied = callsOf(ok.calls, "kubectl", "apply").filter((c) => c.step === phaseSteps[i]!.name);
      expect(applied.map((c) => c.args[c.args.indexOf("-f") + 1]).filter((f) => f!.endsWith("/"))).toEqual(phase.units.map((u) => `${u.manifestsDir}/`));
    }
  });

  test("GIVEN every deployment WHEN the deploy job runs THEN each rollout is awaited, with its timeout", () => {
    const waits = callsOf(ok.calls, "kubectl", "rollout", "status").filter((c) => c.step.startsWith("Deploy phase "));
    const units = plan.phases.flatMap((p) => p.units);
    expect(waits.map((c) => c.args[2]).sort()).toEqual(units.map((u) => `deployment/${u.deployment}`).sort());
    for (const u of units) expect(waits.find((c) => c.args[2] === `deployment/${u.deployment}`)!.args).toContain(`--timeout=${u.timeoutSeconds}s`);
  });

  test("GIVEN a backend's rollout fails WHEN the deploy job runs THEN its phase fails naming it, its siblings were still awaited, and no later phase, ingress or job is applied", () => {
    expect(failed.conclusion).toBe("failure");
    const phase = plan.phases.find((p) => p.units.includes(firstBackend))!;
    const failedStep = failed.steps.find((s) => s.outcome === "failure")!;
    expect(failedStep.name).toMatch(new RegExp(`^Deploy phase ${phase.number} of`));
    expect(failedStep.stdout).toContain(`::error::rollout failed: ${firstBackend.deployment}`);
    const awaited = callsOf(failed.calls, "kubectl", "rollout", "status").filter((c) => c.step === failedStep.name);
    expect(awaited.map((c) => c.args[2]).sort()).toEqual(phase.units.map((u) => `deployment/${u.deployment}`).sort());
    const later = plan.phases.filter((p) => p.number > phase.number).flatMap((p) => p.units.map((u) => `${u.manifestsDir}/`));
    expect(later.length).toBeGreaterThan(0);
    const appliedLater = callsOf(failed.calls, "kubectl", "apply").filter((c) => later.some((dir) => c.args.includes(dir)) || c.args.includes(plan.ingressManifest));
    expect(appliedLater).toEqual([]);
    expect(step(failed, "Apply ingress").outcome).toBe("skipped");
    expect(step(failed, "Run one-time jobs").outcome).toBe("skipped");
  });

  test("GIVEN any step WHEN the deploy job runs THEN it sees only the secrets its env/with declares, and no secret is pasted into a script", () => {
    expect(ok.steps.length).toBe(jobSteps.length);
    for (const [i, s] of ok.steps.entries()) {
      const declared = declaredSecrets(jobSteps[i]!);
      expect(s.secretNamesVisible.filter((n) => !declared.includes(n)), `step "${s.name}"`).toEqual([]);
      expect(s.secretNamesInScript, `step "${s.name}"`).toEqual([]);
    }
    // The check is not vacuous: the secrets step does see the values it creates.
    expect(step(ok, "Create Kubernetes secrets").secretNamesVisible).toContain("STRIPE_SECRET_KEY");
  });

  test("GIVEN Sentry services WHEN the deploy job runs THEN each one's release is ensured (a re-tagged service has none for a new VERSION) and its deploy recorded", () => {
    const sentryCalls = callsOf(ok.calls, "sentry-cli", "releases");
    const projects = plan.builds.filter((b) => b.sentryProject);
    expect(projects.length).toBeGreaterThan(5);
    for (const b of projects) {
      const release = `${b.name}@v1.4.2${plan.sentry!.releaseSuffix}`;
      const mine = sentryCalls.filter((c) => c.args.includes(release)).map((c) => c.args.slice(0, 3).concat(c.args.slice(3).filter((a) => a === "new")));
      expect(mine, b.name).toEqual([["releases", "new", release], ["releases", "deploys", release, "new"]]);
    }
  });

  test("GIVEN two GitHub secrets are missing WHEN the deploy job runs THEN the secrets step names both before failing and creates nothing", async () => {
    const missing = { ...secrets, STRIPE_WEBHOOK_SECRET: "", OPENAI_API_KEY: "" };
    const result = await deploy({ secrets: missing });
    const s = step(result, "Create Kubernetes secrets");
    expect(s.outcome).toBe("failure");
    expect(s.stdout).toContain("::error::secret value missing: openai-secrets/openai-api-key (GitHub secret OPENAI_API_KEY)");
    expect(s.stdout).toContain("::error::secret value missing: stripe-secrets/stripe-webhook-secret (GitHub secret STRIPE_WEBHOOK_SECRET)");
    expect(result.kubeObjects.filter((o) => o.kind === "Secret")).toEqual([]);
    expect(callsOf(result.calls, "kubectl", "apply").filter((c) => c.step.startsWith("Deploy phase "))).toEqual([]);
  });

  test("GIVEN a secret group is missing in the cluster WHEN the verify step runs THEN it names every missing key, then fails", async () => {
    const stripe = plan.secretGroups.find((g) => g.name === "stripe-secrets")!;
    const result = await deploy({ fail: [{ tool: "kubectl", argsInclude: ["get", "secret", "stripe-secrets"], stderr: 'Error from server (NotFound): secrets "stripe-secrets" not found' }] });
    const s = step(result, "Verify Kubernetes secrets");
    expect(s.outcome).toBe("failure");
    for (const k of stripe.keys) expect(s.stdout).toContain(`::error::secret stripe-secrets has no key ${k.key}`);
    expect(s.stdout).toContain(`${stripe.keys.length} secret keys are missing`);
    expect(callsOf(result.calls, "kubectl", "apply").filter((c) => c.step.startsWith("Deploy phase "))).toEqual([]);
  });
});

describe("deploy job condition (affected builds)", () => {
  const workflowText = offline(files.get(STAGING)!);
  const plan = planFor(defaultRegistry, "staging");
  const secrets = fakeSecrets(workflowText);
  const run = async (needs: Record<string, { result: string; outputs: Record<string, string> }>): Promise<JobRunResult> => {
    const checkout = makeWorkdir(deployCheckout(plan));
    workdirs.push(checkout);
    return runJob({ workflowText, jobId: "deploy", workdir: checkout.dir, context: pushContext("staging", secrets, { needs }) });
  };

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

/**
 * A service whose folder holds several Deployments (`deployment: ["notification-service",
 * "notification-worker"]`), run in the harness: each Deployment is awaited, only the ones whose pod
 * template changed roll, and a failed rollout undoes each one this run changed.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { callsOf } from "../harness/calls.ts";
import { runJob, type FailRule, type JobRunResult, type KubeObject } from "../harness/run-job.ts";
import { makeWorkdir, type Workdir } from "../harness/test-workdir.ts";
import { PRODUCTION, defaultRegistry, generateWorkflows } from "./generated.ts";
import { deployCheckout, fakeSecrets, offline, planFor, pushContext } from "./support.ts";

const SERVICE = "notification-service";
const WORKER = "notification-worker";
const registry = { ...defaultRegistry, services: defaultRegistry.services.map((s) => (s.name === SERVICE ? { ...s, deployment: [SERVICE, WORKER] } : s)) };
const files = generateWorkflows(registry);
const workflowText = offline(files.get(PRODUCTION)!);
const plan = planFor(registry, "production");
const built = plan.builds.map((b) => b.name);
const secrets = fakeSecrets(workflowText);
const NEXT_SHA = "fedcba9876543210fedcba9876543210fedcba98";
const DEPLOY_STEP = /^Deploy \d+ services in dependency order/;
const workdirs: Workdir[] = [];
afterAll(() => {
  for (const w of workdirs) w.remove();
});

async function run(options: { kept: string[]; cluster?: readonly KubeObject[]; fail?: FailRule[]; edit?: (tree: Record<string, string>) => void; sha?: string }): Promise<JobRunResult> {
  const tree = deployCheckout(plan, files);
  options.edit?.(tree);
  const checkout = makeWorkdir(tree);
  workdirs.push(checkout);
  const context = pushContext("main", secrets, {
    needs: { changes: { result: "success", outputs: { retag: options.kept.join(" ") } }, build: { result: "success", outputs: {} }, retag: { result: options.kept.length ? "success" : "skipped", outputs: {} } },
  });
  context.github = { ...context.github, sha: options.sha ?? context.github.sha };
  return runJob({ workflowText, jobId: "deploy", workdir: checkout.dir, context, fail: options.fail ?? [], ...(options.cluster ? { cluster: options.cluster } : {}) });
}

const waitsOf = (r: JobRunResult): string[] => callsOf(r.calls, "kubectl", "rollout", "status").filter((c) => DEPLOY_STEP.test(c.step)).map((c) => c.args[2]!);

describe("a service whose folder holds an API and its worker", () => {
  let first: JobRunResult;
  let deployed: readonly KubeObject[];
  beforeAll(async () => {
    first = await run({ kept: [] });
    deployed = first.kubeObjects;
  });

  test("GIVEN a first deploy WHEN the deploy job runs THEN both Deployments exist and both rollouts are awaited", () => {
    expect(first.conclusion).toBe("success");
    expect(waitsOf(first)).toEqual(expect.arrayContaining([`deployment/${SERVICE}`, `deployment/${WORKER}`]));
    expect(first.kubeObjects.filter((o) => o.kind === "Deployment" && (o.name === SERVICE || o.name === WORKER))).toHaveLength(2);
  });

  test("GIVEN nothing rebuilt WHEN only the worker's manifest changed THEN only the worker's rollout is awaited", async () => {
    const worker = `${plan.phases.flatMap((p) => p.units).find((u) => u.service === SERVICE)!.manifestsDir}/${WORKER}.yaml`;
    const result = await run({
      kept: built,
      cluster: deployed,
      sha: NEXT_SHA,
      edit: (tree) => {
        tree[worker] = tree[worker]!.replace("          image:", "          env:\n            - name: QUEUE\n              value: emails\n          image:");
      },
    });
    expect(result.conclusion).toBe("success");
    expect(waitsOf(result)).toEqual([`deployment/${WORKER}`]);
    expect(result.summary).toContain(`| ${SERVICE} | rolled |`);
  });

  test("GIVEN every image rebuilt WHEN the worker's rollout fails THEN the run fails and both Deployments it changed are rolled back", async () => {
    const result = await run({
      kept: [],
      cluster: deployed,
      sha: NEXT_SHA,
      fail: [{ tool: "kubectl", argsInclude: ["rollout", "status", `deployment/${WORKER}`], stderr: "error: timed out waiting for the condition", times: 1 }],
    });
    expect(result.conclusion).toBe("failure");
    const undone = callsOf(result.calls, "kubectl", "rollout", "undo").map((c) => c.args[2]);
    expect(undone).toEqual(expect.arrayContaining([`deployment/${SERVICE}`, `deployment/${WORKER}`]));
    const failed = result.steps.find((s) => s.outcome === "failure")!;
    expect(failed.stdout).toContain(`::error::rollout failed: ${WORKER}`);
    expect(failed.stdout).toContain(`::warning::rolled back ${WORKER} to its previous revision`);
    expect(failed.stdout).toContain(`::warning::rolled back ${SERVICE} to its previous revision`);
  });

  test("GIVEN the worker is new in this run WHEN the API's rollout fails THEN the API is rolled back and the new worker is left in place, both said in the summary", async () => {
    const result = await run({
      kept: [],
      cluster: deployed.filter((o) => !(o.kind === "Deployment" && o.name === WORKER)),
      sha: NEXT_SHA,
      fail: [{ tool: "kubectl", argsInclude: ["rollout", "status", `deployment/${SERVICE}`], stderr: "error: timed out waiting for the condition", times: 1 }],
    });
    expect(result.conclusion).toBe("failure");
    const undone = callsOf(result.calls, "kubectl", "rollout", "undo").map((c) => c.args[2]);
    expect(undone).toContain(`deployment/${SERVICE}`);
    expect(undone).not.toContain(`deployment/${WORKER}`);
    expect(result.summary).toContain(`- ${SERVICE}: rolled back to its previous revision; ${WORKER} created by this run, left in place`);
  });
});


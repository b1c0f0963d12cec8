/**
 * Two guards of the generated deploy job, run in the local harness: at most 16 rollouts are
 * watched at once (a wide graph must not start hundreds of watches at once), and a manual run on
 * another branch deploys nothing.
 */
import { afterAll, describe, expect, test } from "vitest";
import { DEFAULT_MAX_PARALLEL_ROLLOUTS as MAX_PARALLEL_ROLLOUTS } from "../../generator/plan/plan.ts";
import { syntheticRegistry } from "../bench/synthetic-registry.ts";
import { callsOf, maxConcurrency } from "../harness/calls.ts";
import { runJob } from "../harness/run-job.ts";
import { makeWorkdir, type Workdir } from "../harness/test-workdir.ts";
import { generateWorkflows, PRODUCTION } from "./generated.ts";
import { deployCheckout, fakeSecrets, offline, planFor, pushContext } from "./support.ts";

const workdirs: Workdir[] = [];
afterAll(() => workdirs.forEach((w) => w.remove()));

const registry = syntheticRegistry(40, { affectedBuilds: false });
const plan = planFor(registry, "production");
const files = generateWorkflows(registry);
const workflowText = offline(files.get(PRODUCTION)!);
const NEEDS = { build: { result: "success", outputs: {} } };

function deploy(ref: string) {
  const checkout = makeWorkdir(deployCheckout(plan, files));
  workdirs.push(checkout);
  const context = pushContext("main", fakeSecrets(workflowText), { needs: NEEDS });
  context.github = { ...context.github, ref, event_name: "workflow_dispatch" };
  return runJob({ workflowText, jobId: "deploy", workdir: checkout.dir, context, delays: [{ tool: "kubectl", argsInclude: ["rollout", "status"], seconds: 0.15 }] });
}

describe("deploy guards", () => {
  test("GIVEN more than 16 services ready at once WHEN the deploy job runs THEN every rollout is awaited, never more than 16 at once", async () => {
    const largest = Math.max(...plan.phases.map((p) => p.units.length));
    expect(largest).toBeGreaterThan(MAX_PARALLEL_ROLLOUTS);
    const result = await deploy("refs/heads/main");
    expect(result.conclusion).toBe("success");
    // The services' rollouts, not those of the cluster-prerequisites template (other namespaces).
    const rollouts = callsOf(result.calls, "kubectl", "rollout", "status").filter((c) => c.args.includes(plan.namespace));
    expect(rollouts.map((c) => c.args[2]).sort()).toEqual(plan.phases.flatMap((p) => p.units.map((u) => `deployment/${u.deployments[0]!}`)).sort());
    expect(maxConcurrency(rollouts)).toBeLessThanOrEqual(MAX_PARALLEL_ROLLOUTS);
    expect(maxConcurrency(rollouts)).toBeGreaterThan(1);
  });

  test("GIVEN a manual run on a feature branch WHEN the deploy job is evaluated THEN it is skipped and nothing is applied", async () => {
    const result = await deploy("refs/heads/feature/try-something");
    expect(result.conclusion).toBe("skipped");
    expect(result.calls).toEqual([]);
  });
});

/**
 * Simulated deploy time in the harness (real processes, real clock), before and after: rollouts
 * take the durations scaled 1:50 (infrastructure 0.4 s, backends 1.2 s, gateways 0.8 s,
 * frontends 1.8 s) through DelayRules on `kubectl rollout status`. "Before" is the hand-written
 * production workflow (one rollout wait after another); "after" is the generated one (each service
 * applied as soon as its dependencies are ready). The exact figures with the unscaled
 * durations come from the scheduler on a virtual clock (test/runner/schedule.test.ts); this run
 * shows the generated job keeps them with real processes. Figures are printed.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import type { DeployKind } from "../../generator/config/registry.ts";
import { callsOf, wallClockMs } from "../harness/calls.ts";
import { runJob } from "../harness/run-job.ts";
import type { DelayRule, JobRunResult, ToolCall } from "../harness/run-job.ts";
import { makeWorkdir, type Workdir } from "../harness/test-workdir.ts";
import { PRODUCTION, REPO_ROOT, defaultRegistry, generateWorkflows } from "./generated.ts";
import { deployCheckout, fakeSecrets, offline, planFor, pushContext } from "./support.ts";

const SCALE = 0.02;
const ROLLOUT_SECONDS: Record<DeployKind, number> = { infrastructure: 20, backend: 60, gateway: 40, frontend: 90 };
const HANDWRITTEN = join(REPO_ROOT, "test", "fixtures", "handwritten", "deploy-aks.yml");

const workdirs: Workdir[] = [];
afterAll(() => workdirs.forEach((w) => w.remove()));

const plan = planFor(defaultRegistry, "production");
const units = plan.phases.flatMap((p) => p.units);
const kindOf = (deployment: string): DeployKind => units.find((u) => u.deployments[0]! === deployment)?.kind ?? "backend";
const delays = (deployments: string[]): DelayRule[] => deployments.map((d) => ({ tool: "kubectl", argsInclude: ["rollout", "status", `deployment/${d}`], seconds: ROLLOUT_SECONDS[kindOf(d)] * SCALE }));

/** From the first service apply to the last rollout's end. */
function servicesWindowMs(result: JobRunResult, deployments: string[]): { waits: ToolCall[]; windowMs: number } {
  const waits = callsOf(result.calls, "kubectl", "rollout", "status").filter((c) => deployments.some((d) => c.args.includes(`deployment/${d}`)));
  const applies = callsOf(result.calls, "kubectl", "apply").filter((c) => c.step === waits[0]?.step);
  return { waits, windowMs: wallClockMs([...applies, ...waits]) };
}

describe("simulated deploy time of the default registry (production)", () => {
  test("GIVEN the issue's rollout durations (scaled 1:50) WHEN the hand-written and the generated deploy jobs run THEN the generated one costs about the critical path, the hand-written one the sum", async () => {
    const handwrittenText = readFileSync(HANDWRITTEN, "utf8");
    const handwrittenDeployments = [...handwrittenText.matchAll(/kubectl rollout status deployment\/([a-z0-9-]+)/g)].map((m) => m[1]!);
    const before = makeWorkdir({
      VERSION: "1.4.2\n",
      "infra/k8s/ingress.yaml": "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: splits-ingress\n",
      ...Object.fromEntries(
        handwrittenDeployments.map((d) => [`infra/k8s/${d}/deployment.yaml`, `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${d}\nspec:\n  template:\n    spec:\n      containers:\n        - name: ${d}\n          image: \${ACR_SERVER}/${d}:\${IMAGE_TAG}\n`]),
      ),
    });
    workdirs.push(before);
    const handwritten = await runJob({
      workflowText: handwrittenText,
      jobId: "deploy",
      workdir: before.dir,
      context: pushContext("main", fakeSecrets(handwrittenText), { needs: { "build-and-push": { result: "success", outputs: {} } } }),
      delays: delays(handwrittenDeployments),
    });
    expect(handwritten.conclusion).toBe("success");

    const files = generateWorkflows();
    const generatedText = offline(files.get(PRODUCTION)!);
    const deployments = units.map((u) => u.deployments[0]!);
    const after = makeWorkdir(deployCheckout(plan, files));
    workdirs.push(after);
    const generated = await runJob({
      workflowText: generatedText,
      jobId: "deploy",
      workdir: after.dir,
      context: pushContext("main", fakeSecrets(generatedText), { needs: { changes: { result: "success", outputs: {} }, build: { result: "success", outputs: {} }, retag: { result: "skipped", outputs: {} } } }),
      delays: delays(deployments),
    });
    expect(generated.conclusion).toBe("success");

    const b = servicesWindowMs(handwritten, handwrittenDeployments);
    const a = servicesWindowMs(generated, deployments);
    expect(a.waits.length).toBe(deployments.length);
    const sumMs = b.waits.reduce((n, c) => n + (c.endedMs - c.startedMs), 0);
    const criticalMs = (ROLLOUT_SECONDS.infrastructure + ROLLOUT_SECONDS.backend + ROLLOUT_SECONDS.gateway + ROLLOUT_SECONDS.frontend) * SCALE * 1000;
    console.log(
      [
        "simulated deploy time, rollouts at the issue's durations scaled 1:50:",
        `  before: hand-written deploy-aks.yml, ${handwrittenDeployments.length} deployments, waits in sequence: ${(b.windowMs / 1000).toFixed(2)} s (waiting ${(sumMs / 1000).toFixed(2)} s)`,
        `  after:  generated deploy-aks.yml, ${deployments.length} deployments, by dependency: ${(a.windowMs / 1000).toFixed(2)} s; critical path ${(criticalMs / 1000).toFixed(2)} s; the rest is the harness's process start-up per kubectl call`,
      ].join("\n"),
    );
    expect(b.windowMs).toBeGreaterThanOrEqual(sumMs);
    expect(a.windowMs).toBeGreaterThanOrEqual(criticalMs);
    // On a 2-core machine shared with other runs, starting the fake kubectl processes costs more than the rollouts do.
    expect(a.windowMs).toBeLessThan(b.windowMs);
  });
});

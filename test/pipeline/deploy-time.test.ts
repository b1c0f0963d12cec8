/**
 * Simulated deploy time, before and after: every registered deployment's rollout takes a fixed
 * 0.3 s (a DelayRule on its `kubectl rollout status`), everything else runs as fast as the fakes
 * do. "Before" is the hand-written production workflow (one rollout wait after another); "after"
 * is the generated one (all rollouts of a phase awaited together). Both run through the same
 * harness on the same machine; the figures are printed.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { callsOf, maxConcurrency, wallClockMs } from "../harness/calls.ts";
import { runJob } from "../harness/run-job.ts";
import type { DelayRule, JobRunResult, ToolCall } from "../harness/run-job.ts";
import { makeWorkdir, type Workdir } from "../harness/test-workdir.ts";
import { PRODUCTION, REPO_ROOT, defaultRegistry, generateWorkflows } from "./generated.ts";
import { deployCheckout, fakeSecrets, offline, planFor, pushContext } from "./support.ts";

const ROLLOUT_SECONDS = 0.3;
const HANDWRITTEN = join(REPO_ROOT, "test", "fixtures", "handwritten", "deploy-aks.yml");

const workdirs: Workdir[] = [];
afterAll(() => {
  for (const w of workdirs) w.remove();
});

function delays(deployments: string[]): DelayRule[] {
  return deployments.map((d) => ({ tool: "kubectl", argsInclude: ["rollout", "status", `deployment/${d}`], seconds: ROLLOUT_SECONDS }));
}

/** The registered services' rollout waits, and the window from the first service apply to the last of them. */
function rolloutFigures(result: JobRunResult, deployments: string[]): { waits: ToolCall[]; windowMs: number; jobMs: number } {
  const waits = callsOf(result.calls, "kubectl", "rollout", "status").filter((c) => deployments.some((d) => c.args.includes(`deployment/${d}`)));
  const applies = callsOf(result.calls, "kubectl", "apply").filter((c) => c.args.some((a) => /^infra\/k8s\/[^/]+\/$/.test(a)));
  return { waits, windowMs: wallClockMs([...applies, ...waits]), jobMs: wallClockMs(result.calls) };
}

describe("simulated deploy time of the default registry (production)", () => {
  test(`GIVEN every rollout takes ${ROLLOUT_SECONDS} s WHEN the hand-written and the generated deploy jobs run THEN the generated one waits once per phase, not once per service`, async () => {
    // Before: the hand-written workflow, as the harness's own tests run it.
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

    // After: the generated workflow of the default registry.
    const plan = planFor(defaultRegistry, "production");
    const generatedText = offline(generateWorkflows().get(PRODUCTION)!);
    const deployments = plan.phases.flatMap((p) => p.units.map((u) => u.deployment));
    const after = makeWorkdir(deployCheckout(plan));
    workdirs.push(after);
    const generated = await runJob({
      workflowText: generatedText,
      jobId: "deploy",
      workdir: after.dir,
      context: pushContext("main", fakeSecrets(generatedText), { needs: { changes: { result: "success", outputs: {} }, build: { result: "success", outputs: {} }, retag: { result: "skipped", outputs: {} } } }),
      delays: delays(deployments),
    });
    expect(generated.conclusion).toBe("success");

    const b = rolloutFigures(handwritten, handwrittenDeployments);
    const a = rolloutFigures(generated, deployments);
    expect(b.waits.length).toBe(handwrittenDeployments.length);
    expect(a.waits.length).toBe(deployments.length);
    // Before: never two waits at once. After: every phase's waits at once.
    expect(maxConcurrency(b.waits)).toBe(1);
    for (const phase of plan.phases) {
      const names = phase.units.map((u) => `deployment/${u.deployment}`);
      expect(maxConcurrency(a.waits.filter((c) => names.includes(c.args[2]!)))).toBe(phase.units.length);
    }
    // Time spent waiting for rollouts: before, the sum of the waits (they never overlap); after,
    // the sum over phases of each phase's waiting window.
    const waitedBefore = b.waits.reduce((sum, c) => sum + (c.endedMs - c.startedMs), 0);
    const waitedAfter = plan.phases.reduce((sum, p) => sum + wallClockMs(a.waits.filter((c) => p.units.some((u) => c.args[2] === `deployment/${u.deployment}`))), 0);
    const line = (label: string, services: number, f: { windowMs: number; jobMs: number }, waits: number, waitedMs: number): string =>
      `  ${label.padEnd(36)} ${String(services).padStart(2)} deployments  ${String(waits).padStart(2)} sequential waits  waiting ${(waitedMs / 1000).toFixed(2)} s  apply+rollout window ${(f.windowMs / 1000).toFixed(2)} s  whole job ${(f.jobMs / 1000).toFixed(2)} s`;
    console.log(
      [
        `simulated deploy time, every rollout ${ROLLOUT_SECONDS} s:`,
        line("before: hand-written deploy-aks.yml", handwrittenDeployments.length, b, handwrittenDeployments.length, waitedBefore),
        line("after: generated deploy-aks.yml", deployments.length, a, plan.phases.length, waitedAfter),
        `  sequential waits alone for the generated registry's ${deployments.length} deployments would be ${(deployments.length * ROLLOUT_SECONDS).toFixed(1)} s; concurrent per phase: ${(plan.phases.length * ROLLOUT_SECONDS).toFixed(1)} s`,
      ].join("\n"),
    );
    // More services, yet less waiting: the waits cost one rollout per phase.
    expect(a.windowMs).toBeLessThan(b.windowMs);
    expect(waitedAfter).toBeLessThan(waitedBefore / 2);
    expect(b.windowMs).toBeGreaterThanOrEqual(handwrittenDeployments.length * ROLLOUT_SECONDS * 1000);
  });
});

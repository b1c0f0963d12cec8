/**
 * Prune, opt-in: after a successful deploy, objects labelled with the registry that it no longer
 * produces (a removed service, a removed cronjob) are deleted; without `prune: true` they stay.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Registry } from "../../generator/config/registry.ts";
import { runJob } from "../harness/run-job.ts";
import type { JobRunResult, KubeObject } from "../harness/run-job.ts";
import { makeWorkdir, type Workdir } from "../harness/test-workdir.ts";
import { PRODUCTION, defaultRegistry, generateWorkflows } from "./generated.ts";
import { deployCheckout, fakeSecrets, offline, planFor, pushContext } from "./support.ts";

const workdirs: Workdir[] = [];
afterAll(() => workdirs.forEach((w) => w.remove()));

const NEEDS = { changes: { result: "success", outputs: { retag: "" } }, build: { result: "success", outputs: {} }, retag: { result: "skipped", outputs: {} } };

function withPrune(registry: Registry, prune: boolean): Registry {
  return { ...registry, project: { ...registry.project, prune } };
}

/** The default registry without health-monitor and without billing-service's escrow-releases cronjob. */
function trimmed(registry: Registry): Registry {
  return {
    ...registry,
    services: registry.services
      .filter((s) => s.name !== "health-monitor")
      .map((s) => (s.name === "billing-service" ? { ...s, cronjobs: s.cronjobs!.filter((c) => c.name !== "escrow-releases") } : s)),
  };
}

async function deploy(registry: Registry, cluster: readonly KubeObject[]): Promise<JobRunResult> {
  const files = generateWorkflows(registry);
  const text = offline(files.get(PRODUCTION)!);
  const checkout = makeWorkdir(deployCheckout(planFor(registry, "production"), files));
  workdirs.push(checkout);
  return runJob({ workflowText: text, jobId: "deploy", workdir: checkout.dir, context: pushContext("main", fakeSecrets(text), { needs: NEEDS }), cluster });
}

const has = (objects: readonly KubeObject[], kind: string, name: string): boolean => objects.some((o) => o.kind === kind && o.name === name);

let deployed: readonly KubeObject[];
beforeAll(async () => {
  const first = await deploy(withPrune(defaultRegistry, true), []);
  expect(first.conclusion).toBe("success");
  deployed = first.kubeObjects;
  expect(has(deployed, "Deployment", "health-monitor") && has(deployed, "CronJob", "escrow-releases")).toBe(true);
});

describe("prune", () => {
  test("GIVEN prune: true WHEN a service and a cronjob were removed from the registry THEN the next deploy deletes exactly their objects and says why", async () => {
    const result = await deploy(withPrune(trimmed(defaultRegistry), true), deployed);
    expect(result.conclusion).toBe("success");
    expect(has(result.kubeObjects, "Deployment", "health-monitor")).toBe(false);
    expect(has(result.kubeObjects, "CronJob", "escrow-releases")).toBe(false);
    const kept = deployed.filter((o) => !(o.name === "health-monitor" || o.name === "escrow-releases")).map((o) => `${o.kind}/${o.name}`);
    expect(result.kubeObjects.map((o) => `${o.kind}/${o.name}`)).toEqual(expect.arrayContaining(kept));
    expect(result.summary).toContain("- deployment.apps/health-monitor: service health-monitor is no longer in the registry");
    expect(result.summary).toContain("- cronjob.batch/escrow-releases: no longer in billing-service's manifests or cronjobs");
  });

  test("GIVEN prune off (the default) WHEN the same removal is deployed THEN nothing is deleted", async () => {
    const result = await deploy(withPrune(trimmed(defaultRegistry), false), deployed);
    expect(result.conclusion).toBe("success");
    expect(has(result.kubeObjects, "Deployment", "health-monitor")).toBe(true);
    expect(has(result.kubeObjects, "CronJob", "escrow-releases")).toBe(true);
    expect(result.summary).not.toContain("Pruned");
  });
});

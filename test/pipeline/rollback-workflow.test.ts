/**
 * The generated manual rollback workflow (`deploy-aks-rollback.yml`), run in the harness on a
 * git checkout with two deployed releases: it redeploys the older release's images and manifests
 * without building, and refuses a release whose images are not all in the registry.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { callsOf } from "../harness/calls.ts";
import { runJob } from "../harness/run-job.ts";
import type { FailRule, JobRunResult, KubeObject } from "../harness/run-job.ts";
import { makeWorkdir, type Workdir } from "../harness/test-workdir.ts";
import { PRODUCTION, defaultRegistry, generateWorkflows, parseWorkflowText } from "./generated.ts";
import { deployCheckout, fakeSecrets, offline, planFor, pushContext } from "./support.ts";

const ROLLBACK = ".github/workflows/deploy-aks-rollback.yml";
const files = generateWorkflows();
const plan = planFor(defaultRegistry, "production");
const built = plan.builds.map((b) => b.name);
const deployText = offline(files.get(PRODUCTION)!);
const rollbackText = files.get(ROLLBACK)!;
const secrets = fakeSecrets(deployText + rollbackText);

let repo: Workdir;
let releaseA: string;
let releaseB: string;
let cluster: readonly KubeObject[];

function git(...args: string[]): string {
  const env = { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" };
  return execFileSync("git", args, { cwd: repo.dir, encoding: "utf8", env }).trim();
}

async function deployAt(sha: string): Promise<void> {
  const needs = { changes: { result: "success", outputs: { retag: "" } }, build: { result: "success", outputs: {} }, retag: { result: "skipped", outputs: {} } };
  const context = pushContext("main", secrets, { needs });
  context.github = { ...context.github, sha };
  const result = await runJob({ workflowText: deployText, jobId: "deploy", workdir: repo.dir, context, cluster });
  expect(result.conclusion, result.steps.map((s) => s.stdout + s.stderr).join("\n")).toBe("success");
  cluster = result.kubeObjects;
}

function rollback(release: string, fail: FailRule[] = []): Promise<JobRunResult> {
  const context = pushContext("main", secrets, { inputs: { release } });
  context.github = { ...context.github, event_name: "workflow_dispatch", sha: releaseB };
  return runJob({ workflowText: rollbackText, jobId: "rollback", workdir: repo.dir, context, cluster, fail });
}

const imageOf = (objects: readonly KubeObject[], name: string): string =>
  (objects.find((o) => o.kind === "Deployment" && o.name === name)!.manifest as { spec: { template: { spec: { containers: { image: string }[] } } } }).spec.template.spec.containers[0]!.image;

beforeAll(async () => {
  repo = makeWorkdir(deployCheckout(plan, files));
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-q", "-m", "release A");
  releaseA = git("rev-parse", "HEAD");
  cluster = [];
  await deployAt(releaseA);
  // Release B changes a manifest too: the rollback must bring back A's.
  const ats = join(repo.dir, "infra/k8s/ats-service/deployment.yaml");
  writeFileSync(ats, readFileSync(ats, "utf8").replace("spec:\n  template:", "spec:\n  replicas: 3\n  template:"));
  git("commit", "-q", "-am", "release B");
  releaseB = git("rev-parse", "HEAD");
  await deployAt(releaseB);
});
afterAll(() => repo.remove());

describe("deploy-aks-rollback.yml", () => {
  test("GIVEN the rollback workflow WHEN reading it THEN it is manual, takes a release, and runs in the deploy's GitHub environment and concurrency group", () => {
    const rollbackDoc = parseWorkflowText(rollbackText) as unknown as Record<string, any>;
    const deployDoc = parseWorkflowText(deployText) as unknown as Record<string, any>;
    expect(Object.keys(rollbackDoc.on)).toEqual(["workflow_dispatch"]);
    expect(rollbackDoc.on.workflow_dispatch.inputs.release.required).toBe(true);
    expect(rollbackDoc.concurrency).toEqual(deployDoc.concurrency);
    expect(rollbackDoc.jobs.rollback.environment).toBe(deployDoc.jobs.deploy.environment);
    expect(JSON.stringify(rollbackDoc)).not.toMatch(/docker build|build-push-action/);
  });

  test("GIVEN releases A and B deployed WHEN the rollback workflow redeploys A THEN every Deployment runs A's image and A's manifests again, in dependency order, with nothing built", async () => {
    expect(imageOf(cluster, "ats-service")).toBe(`splitsacr.azurecr.io/ats-service:${releaseB}`);
    const result = await rollback(releaseA.slice(0, 12));
    expect(result.conclusion, result.steps.map((s) => s.stdout + s.stderr).join("\n")).toBe("success");
    const inspected = callsOf(result.calls, "docker", "buildx", "imagetools", "inspect").map((c) => c.args[3]);
    expect(inspected.sort()).toEqual(built.map((s) => `splitsacr.azurecr.io/${s}:${releaseA}`).sort());
    for (const s of built) expect(imageOf(result.kubeObjects, s), s).toBe(`splitsacr.azurecr.io/${s}:${releaseA}`);
    const ats = result.kubeObjects.find((o) => o.kind === "Deployment" && o.name === "ats-service")!;
    expect((ats.manifest as { spec: Record<string, unknown> }).spec.replicas).toBeUndefined();
    expect(callsOf(result.calls, "docker", "build")).toEqual([]);
    // An old backfill is not run again.
    expect(callsOf(result.calls, "kubectl", "delete", "job")).toEqual([]);
    expect(result.summary).toContain(`### Redeploy of ${releaseA.slice(0, 12)}: production`);
  });

  test("GIVEN one of the release's images is missing from the registry WHEN the rollback workflow runs THEN it refuses, naming it, and applies nothing", async () => {
    const result = await rollback(releaseA, [{ tool: "docker", argsInclude: ["inspect", `splitsacr.azurecr.io/portal:${releaseA}`], stderr: "ERROR: not found" }]);
    expect(result.conclusion).toBe("failure");
    const out = result.steps.map((s) => s.stdout).join("\n");
    expect(out).toContain(`::error::image portal:${releaseA} is not in the container registry`);
    expect(out).toContain("nothing was applied");
    expect(callsOf(result.calls, "kubectl", "apply")).toEqual([]);
  });

  test("GIVEN a release that is not a commit of the branch WHEN the rollback workflow runs THEN it refuses before touching the cluster", async () => {
    const result = await rollback("0000000");
    expect(result.conclusion).toBe("failure");
    expect(result.steps.map((s) => s.stdout).join("\n")).toContain("::error::release 0000000 is not a commit of this repository");
    expect(callsOf(result.calls, "kubectl")).toEqual([]);
  });
});

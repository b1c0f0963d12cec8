/**
 * The zizmor and actionlint rules that fit a deploy workflow, checked on the generated files
 * directly (zizmor itself is a Rust binary we do not install in the test suite): unpinned-uses,
 * excessive-permissions, artipacked, template-injection, secrets in a matrix, curl | bash,
 * swallowed errors, concurrency.
 */
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PRODUCTION, REPO_ROOT, STAGING, defaultRegistry, generateWorkflows } from "../pipeline/generated.ts";
import { syntheticRegistry } from "../bench/synthetic-registry.ts";

interface Step {
  name: string;
  uses?: string;
  with?: Record<string, unknown>;
  run?: string;
  env?: Record<string, string>;
}
interface Job {
  permissions?: Record<string, string>;
  strategy?: { matrix: unknown };
  steps: Step[];
  environment?: string;
}
interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions?: unknown;
  concurrency?: { group: string; "cancel-in-progress": boolean };
  jobs: Record<string, Job>;
}

const credentialsLogin = { ...defaultRegistry, project: { ...defaultRegistry.project, azureLogin: { method: "credentials" as const, credentialsSecret: "AZURE_CREDENTIALS" } } };
const cases = [
  ...[STAGING, PRODUCTION].map((file) => ({ name: `${file} (default)`, text: generateWorkflows().get(file)! })),
  { name: "deploy-aks.yml (client-secret login)", text: generateWorkflows(credentialsLogin).get(PRODUCTION)! },
  { name: "deploy-aks.yml (1,000 services)", text: generateWorkflows(syntheticRegistry(1000)).get(PRODUCTION)! },
  { name: "golden minimal (Entra ID cluster, build secrets)", text: readFileSync(join(REPO_ROOT, "test/golden/cases/minimal/expected/deploy.yaml"), "utf8") },
  ...[".github/workflows/deploy-staging-rollback.yml", ".github/workflows/deploy-aks-rollback.yml"].map((file) => ({ name: `${file} (default)`, text: generateWorkflows().get(file)! })),
];

describe.each(cases)("$name", ({ text }) => {
  const wf = parse(text) as Workflow;
  const jobs = Object.entries(wf.jobs);
  const steps = jobs.flatMap(([id, job]) => job.steps.map((s) => ({ job: id, ...s })));

  test("GIVEN every uses: WHEN read THEN it is pinned to a full commit SHA with the version in a trailing comment (unpinned-uses)", () => {
    const uses = text.split("\n").filter((l) => /^\s*(- )?uses: /.test(l));
    expect(uses.length).toBeGreaterThan(0);
    // The comment is the release tag as published: v1.2.3, or v1.2 where the action tags so (azure/use-kubelogin).
    for (const line of uses) expect(line).toMatch(/uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+(\.\d+)?$/);
  });

  test("GIVEN the workflow WHEN read THEN nothing is granted by default and every job asks for the least it needs (excessive-permissions)", () => {
    expect(wf.permissions).toEqual({});
    for (const [id, job] of jobs) {
      expect(job.permissions, id).toBeDefined();
      for (const [scope, level] of Object.entries(job.permissions!)) {
        if (level === "write") expect(`${id}: ${scope}`).toMatch(/: id-token$/);
        else expect(["contents", "actions"], `${id}: ${scope}`).toContain(scope);
      }
      const login = job.steps.find((s) => s.uses?.startsWith("azure/login@"));
      expect(job.permissions!["id-token"] === "write", id).toBe(login !== undefined && login.with?.["client-id"] !== undefined);
    }
  });

  test("GIVEN every checkout WHEN read THEN it does not persist the job token (artipacked)", () => {
    const checkouts = steps.filter((s) => s.uses?.startsWith("actions/checkout@"));
    expect(checkouts.length).toBe(jobs.length);
    for (const c of checkouts) expect(c.with?.["persist-credentials"], c.job).toBe(false);
  });

  test("GIVEN every run: script WHEN read THEN it has no expression, starts with set -euo pipefail, swallows no error and pipes nothing into a shell (template-injection)", () => {
    const scripts = steps.filter((s) => s.run !== undefined);
    // A guard against reading the wrong file: every generated workflow runs scripts.
    expect(scripts.length).toBeGreaterThanOrEqual(wf.name.endsWith("roll back to a release") ? 2 : 8);
    for (const s of scripts) {
      const where = `${s.job} / ${s.name}`;
      expect(s.run, where).not.toContain("${{");
      expect(s.run!.startsWith("set -euo pipefail\n"), where).toBe(true);
      expect(s.run, where).not.toMatch(/\|\|\s*true|\|\s*grep -v|curl[^\n]*\|\s*(ba)?sh|wget[^\n]*\|\s*(ba)?sh/);
    }
  });

  test("GIVEN secrets WHEN read THEN none is in a matrix, a job-level env or a run script; each is only in the env/with of a step, in a job with an environment", () => {
    for (const [id, job] of jobs) {
      expect(JSON.stringify(job.strategy ?? {}), id).not.toContain("secrets.");
      expect(JSON.stringify((job as { env?: unknown }).env ?? {}), id).not.toContain("secrets.");
      if (JSON.stringify(job.steps).includes("secrets.")) expect(job.environment, id).toBeDefined();
    }
    expect(text).not.toContain("toJSON(secrets)");
  });

  test("GIVEN two pushes WHEN their deploys would overlap THEN the second waits (one group per environment, never cancelled half-way)", () => {
    expect(wf.concurrency?.group).toMatch(/^deploy-/);
    expect(wf.concurrency?.["cancel-in-progress"]).toBe(false);
    // A rollback workflow is manual only.
    expect(Object.keys(wf.on).sort()).toEqual(wf.name.endsWith("roll back to a release") ? ["workflow_dispatch"] : ["push", "workflow_dispatch"]);
  });
});

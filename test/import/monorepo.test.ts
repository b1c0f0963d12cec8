/**
 * The import on a realistic 37-service monorepo (test/fixtures/import-monorepo/, with its ground
 * truth expected.json): import -> gen -> audit reports nothing the import caused -> the generated
 * deploy job runs green in the harness against the fixture's real manifests (every Deployment
 * awaited exists) in fewer phases than the hand-written steps -> the round trip keeps every
 * service, build argument, secret key, Sentry service, cronjob and job.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { REPO } from "../support/repo.ts";
import { runJob, type JobRunResult } from "../harness/run-job.ts";
import { callsOf } from "../harness/calls.ts";
import { fakeSecrets, offline, pushContext } from "../pipeline/support.ts";
import { lister, read, runCli, type CliResult } from "./cli.ts";
import { semanticsOf, type Semantics } from "./semantic.ts";
import { parseDeployData } from "../../generator/runner/data.ts";

const FIXTURE = join(REPO, "test", "fixtures", "import-monorepo");
const expected = JSON.parse(readFileSync(join(FIXTURE, "expected.json"), "utf8")) as {
  services: { name: string; kind: string; deployments: string[]; secretGroups: string[]; cronjobs: string[]; jobs: string[]; dependencyEvidence?: { on: string }[] }[];
  constructs: { id: string; class: string; at: string[] }[];
  preExistingAuditFindings: { code: string; file: string }[];
  environments: Record<string, { sequentialDeploySteps: number }>;
};
const AKS = ".github/workflows/deploy-aks.yml";
const STAGING = ".github/workflows/deploy-staging.yml";
const ENVS = [
  { environment: "production", file: AKS, branch: "main" },
  { environment: "staging", file: STAGING, branch: "staging" },
] as const;

describe("import of the fixture monorepo", () => {
  let dir: string;
  let imported: CliResult;
  let json: {
    groups: { code: string; kind: string; message: string }[];
    phases: { generated: number };
    order: { inferred: { service: string; dependsOn: string }[] };
    diagnostics: { code: string; file: string; line: number }[];
  };
  let generated: CliResult;
  let audit: CliResult;
  let registry: string;
  const before: Record<string, Semantics> = {};
  const after: Record<string, Semantics> = {};

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "gen-import-mono-"));
    cpSync(FIXTURE, dir, { recursive: true });
    const list = lister(dir);
    for (const e of ENVS) before[e.environment] = semanticsOf(read(dir, e.file), list);
    imported = runCli(dir, ["import", "--production", AKS, "--staging", STAGING, "--out", "json.config.ts", "--format", "json"]);
    json = JSON.parse(imported.stdout);
    imported = runCli(dir, ["import", "--production", AKS, "--staging", STAGING]);
    registry = read(dir, "services.config.ts");
    generated = runCli(dir, ["--force", "--config", join(dir, "services.config.ts"), "--root", dir]);
    audit = runCli(dir, ["audit", "--config", join(dir, "services.config.ts"), "--root", dir, "--format", "json"]);
    // The generated deploy jobs read what they create and apply from their data files.
    for (const e of ENVS) after[e.environment] = semanticsOf(read(dir, e.file), list, parseDeployData(read(dir, e.file.replace(".github/workflows/", ".github/deploy/").replace(/\.yml$/, ".jsonc"))));
  });

  it("GIVEN the monorepo WHEN imported THEN it exits 1 listing exactly the five constructs the ground truth calls genuine, each at its file:line", () => {
    expect(imported.stderr).toBe("");
    expect(imported.code).toBe(1);
    const carry = json.groups.filter((g) => g.code === "IMPORT_UNMAPPABLE");
    expect(carry).toHaveLength(expected.constructs.filter((c) => c.class === "genuine-carry-over").length);
    const lines = json.diagnostics.filter((d) => d.code === "IMPORT_UNMAPPABLE").map((d) => `${d.file}:${d.line}`);
    for (const c of expected.constructs.filter((x) => x.class === "genuine-carry-over")) expect(c.at.some((at) => lines.includes(at)), `${c.id} at ${c.at.join(", ")}`).toBe(true);
    expect(imported.stdout).toMatch(/^Summary:\n\s+5 {2}Carry over by hand$/m);
  });

  it("GIVEN repeated constructs WHEN reported THEN each kind is one finding (|| true for many services, secret checks, job deletes)", () => {
    const kinds = json.groups.map((g) => g.kind);
    for (const kind of ["swallowed-failure", "secret-check", "job-delete", "install-if-absent", "last-applied", "log-output", "read-only"]) expect(kinds.filter((k) => k === kind).length, kind).toBeGreaterThanOrEqual(1);
    expect(json.groups.filter((g) => g.kind === "secret-check")).toHaveLength(1);
    expect(json.groups.filter((g) => g.kind === "job-delete")).toHaveLength(1);
    expect(imported.stdout).toMatch(/staging ignores a failed apply or rollout \(`\|\| true`\) where production does not: not carried over for 3\d services/);
  });

  it("GIVEN the written registry WHEN measured THEN it is at most 300 lines and gen accepts it", () => {
    expect(registry.split("\n").length).toBeLessThanOrEqual(300);
    expect(generated).toMatchObject({ code: 0, stderr: "" });
  });

  it("GIVEN the repository WHEN imported THEN each service has exactly the secret groups its manifests read and every Deployment of its folder", () => {
    const load = runCli(dir, ["plan", "--format", "json", "--config", join(dir, "services.config.ts"), "--root", dir]);
    const plan = JSON.parse(load.stdout) as { environments: { environment: string; phases: { services: { name: string }[] }[] }[] };
    const planned = new Set(plan.environments.flatMap((e) => e.phases.flatMap((p) => p.services.map((s) => s.name))));
    for (const s of expected.services) {
      expect(planned.has(s.name), s.name).toBe(true);
      for (const d of s.deployments) expect(registry.includes(`"${d}"`) || d === s.name, `${s.name} awaits ${d}`).toBe(true);
    }
    expect(registry).toMatch(/frontend\("portal", \{[^)]*\n\s*secrets: \["clerk-secrets"\],\n/);
    expect(registry).not.toContain("importedSecretGroups");
  });

  it("GIVEN the manifests WHEN the deploy order is inferred THEN its edges are exactly the ground truth's evidence", () => {
    const inferred = json.order.inferred.map((e) => `${e.service} -> ${e.dependsOn}`).sort();
    const truth = expected.services.flatMap((s) => (s.dependencyEvidence ?? []).map((d) => `${s.name} -> ${d.on}`)).sort();
    expect(inferred).toEqual(truth);
  });

  it("GIVEN the manifests WHEN secrets are assigned THEN every service reads exactly the ground truth's groups", async () => {
    const loaded = (await import(join(dir, "services.config.ts"))) as { default: { services: { name: string; manifests?: string; secrets?: string[] }[] } };
    for (const s of expected.services) {
      const entry = loaded.default.services.find((x) => x.name === s.name)!;
      expect([...(entry.secrets ?? [])].sort(), s.name).toEqual([...s.secretGroups].sort());
    }
  });

  it("GIVEN the imported registry WHEN audited THEN it reports only the findings the repository had before the import", () => {
    const findings = (JSON.parse(audit.stdout) as { diagnostics: { code: string; file: string }[] }).diagnostics.map((d) => `${d.code} ${d.file}`).sort();
    const known = expected.preExistingAuditFindings.map((f) => `${f.code} ${f.file}`).sort();
    expect(findings).toEqual(known);
  });

  it("GIVEN the generated workflows WHEN compared with the originals THEN every service, build argument, secret key, Sentry service, cronjob and job is kept", () => {
    for (const e of ENVS) {
      const [was, now] = [before[e.environment]!, after[e.environment]!];
      expect(now.built, e.environment).toEqual(was.built);
      expect(now.buildArgs, e.environment).toEqual(was.buildArgs);
      for (const [group, keys] of Object.entries(was.secretKeys)) expect(now.secretKeys[group], `${e.environment} ${group}`).toEqual(expect.arrayContaining(keys));
      expect(now.sentry, e.environment).toEqual(expect.arrayContaining(was.sentry));
      expect(now.applied.filter((a) => /\/(cronjobs|jobs)\//.test(a)), e.environment).toEqual(expect.arrayContaining(was.applied.filter((a) => /\/(cronjobs|jobs)\//.test(a))));
      expect(now.rollouts, e.environment).toEqual(expect.arrayContaining(was.rollouts));
    }
  });

  it.each(ENVS)("GIVEN the generated $file WHEN its deploy job runs in the harness on the fixture's manifests THEN it is green, in fewer phases than the hand-written steps", { timeout: 240_000 }, async ({ environment, file, branch }) => {
    const text = offline(read(dir, file));
    // The cluster-prerequisites template applies cert-manager from its release URL (no network here).
    writeFileSync(join(dir, "upstream-cert-manager.yaml"), "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: cert-manager-webhook\n  namespace: cert-manager\n");
    const result: JobRunResult = await runJob({
      workflowText: text.replace("upstream/cert-manager.yaml", "upstream-cert-manager.yaml"),
      jobId: "deploy",
      workdir: dir,
      context: pushContext(branch, fakeSecrets(text), { needs: { build: { result: "success", outputs: {} } } }),
    });
    expect(result.steps.filter((s) => s.outcome !== "success").map((s) => `${s.name}: ${s.stdout}${s.stderr}`)).toEqual([]);
    expect(result.conclusion).toBe("success");
    // Every Deployment of every folder the run applied is awaited, and each folder is applied once
    // (a folder with an API and its worker is one service listing both Deployments).
    const waited = new Set(callsOf(result.calls, "kubectl", "rollout", "status").map((c) => c.args[2]));
    const appliedFolders = callsOf(result.calls, "kubectl", "label").map((c) => /\/rendered\/([^/]+)$/.exec(c.args[c.args.indexOf("-f") + 1] ?? "")?.[1]);
    let multi = 0;
    for (const s of expected.services) {
      const applied = appliedFolders.filter((f) => f === s.name).length;
      if (!applied) continue;
      expect(applied, `${environment}: ${s.name}'s folder applied once`).toBe(1);
      for (const d of s.deployments) {
        expect(waited.has(`deployment/${d}`), `${environment}: ${s.name} awaits ${d}`).toBe(true);
        if (d !== s.name) expect(appliedFolders, `${environment}: ${d} applied as a service of its own`).not.toContain(d);
      }
      if (s.deployments.length > 1) multi++;
    }
    expect(multi, "folders holding several Deployments").toBeGreaterThanOrEqual(2);
    const phases = (parse(text) as { jobs: { deploy: { steps: { name?: string }[] } } }).jobs.deploy.steps.filter((s) => /^Deploy phase \d+/.test(s.name ?? "")).length;
    expect(json.phases.generated).toBeLessThan(expected.environments[environment]!.sequentialDeploySteps);
    expect(phases || json.phases.generated).toBeLessThan(expected.environments[environment]!.sequentialDeploySteps);
  });
});

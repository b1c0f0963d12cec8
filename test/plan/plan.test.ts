/** `gen:workflows plan` in each format. */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { planAll } from "../../generator/plan/plan.ts";
import { planDifferences, planJson, planMermaid, planText } from "../../generator/plan/plan-view.ts";
import { parseDeployData } from "../../generator/runner/data.ts";
import type { Registry } from "../../generator/config/registry.ts";
import { runCli } from "../import/cli.ts";
import { defaultRegistry, generateFrom, REPO } from "../support/repo.ts";

/** The default registry, with health-monitor in staging only and a cronjob limited to production. */
function driftedRegistryDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "gen-plan-"));
  const text = readFileSync(join(REPO, "services.config.ts"), "utf8")
    .replace('from "./generator/config/registry.ts"', `from ${JSON.stringify(join(REPO, "generator", "config", "registry.ts"))}`)
    .replace('{ name: "health-monitor", kind: "backend",', '{ name: "health-monitor", environments: ["staging"], kind: "backend",')
    .replace('{ name: "payout-schedules", schedule: "0 4 * * *" }', '{ name: "payout-schedules", schedule: "0 4 * * *", environments: ["production"] }');
  writeFileSync(join(dir, "services.config.ts"), text);
  return dir;
}

const plan = (dir: string, args: string[]) => runCli(dir, ["plan", ...args, "--config", join(dir, "services.config.ts"), "--root", dir]);

describe("plan --format text", () => {
  it("GIVEN environments that differ WHEN plan runs THEN each environment's phases, secrets and Sentry services are listed, then every difference", () => {
    const r = plan(driftedRegistryDir(), []);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toMatch(/^production: \.github\/workflows\/deploy-aks\.yml \(branch main, namespace splits-network\)$/m);
    expect(r.stdout).toMatch(/^ {2}1 {6}infrastructure {2}redis, rabbitmq$/m);
    expect(r.stdout).toMatch(/^ {2}3 {6}gateway {9}api-gateway, chat-gateway$/m);
    expect(r.stdout).toContain("  Secret groups: clerk-secrets (8 keys), internal-service-secrets (1 key),");
    expect(r.stdout).toContain("  Sentry releases: api-gateway, chat-gateway, identity-service,");
    expect(r.stdout).toContain("Differences between environments (2):\n");
    expect(r.stdout).toContain("  - service health-monitor: staging only (not production)\n");
    expect(r.stdout).toContain("  - cronjob infra/k8s/billing-service/cronjobs/payout-schedules.yaml: production only (not staging)\n");
  });

  it("GIVEN --env staging WHEN plan runs THEN only staging is shown", () => {
    const r = plan(driftedRegistryDir(), ["--env", "staging"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("staging: .github/workflows/deploy-staging.yml");
    expect(r.stdout).not.toContain("production:");
  });

  it("GIVEN an unknown environment or format WHEN plan runs THEN it exits 2 naming the valid ones", () => {
    const dir = driftedRegistryDir();
    const env = plan(dir, ["--env", "qa"]);
    expect(env.code).toBe(2);
    expect(env.stderr).toContain('unknown environment "qa" (known: production, staging)');
    expect(plan(dir, ["--format", "svg"]).code).toBe(2);
  });
});

describe("plan --format json", () => {
  it("GIVEN the registry WHEN plan runs THEN the JSON holds phases with services, dependencies, secret keys, Sentry and the differences", () => {
    const r = plan(driftedRegistryDir(), ["--format", "json"]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.environments.map((e: any) => e.environment)).toEqual(["production", "staging"]);
    const staging = doc.environments[1];
    expect(staging.phases[0]).toEqual({ number: 1, kinds: ["infrastructure"], services: [{ name: "redis", kind: "infrastructure", dependsOn: [], cronjobs: [] }, { name: "rabbitmq", kind: "infrastructure", dependsOn: [], cronjobs: [] }] });
    expect(staging.phases[1].services.map((s: any) => s.name)).toContain("health-monitor");
    expect(doc.environments[0].phases[1].services.map((s: any) => s.name)).not.toContain("health-monitor");
    expect(staging.secretGroups.find((g: any) => g.name === "stripe-secrets").keys).toEqual(["stripe-publishable-key", "stripe-secret-key", "stripe-webhook-secret"]);
    expect(doc.differences).toHaveLength(2);
  });
});

describe("plan --format mermaid", () => {
  it("GIVEN one environment WHEN rendered THEN it is a graph TD with one subgraph per phase and an edge per dependency", () => {
    const r = plan(driftedRegistryDir(), ["--env", "production", "--format", "mermaid"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe("graph TD");
    expect(lines.filter((l) => /^ {2}subgraph phase\d\["Phase \d: [a-z +]+"\]$/.test(l))).toHaveLength(4);
    expect(lines).toContain("  rabbitmq --> identity_service");
    expect(lines).toContain("  api_gateway --> portal");
    expect(lines).not.toContain('    health_monitor["health-monitor"]');
  });

  it("GIVEN both environments WHEN rendered THEN each is a subgraph with its own node ids, so the graph stays valid", async () => {
    const text = planMermaid(planAll((await defaultRegistry()) as Registry));
    expect(text).toMatch(/^graph TD\n {2}subgraph env_production\["production"\]\n {4}subgraph production_phase1/);
    expect(text).toContain("    staging_redis --> staging_identity_service");
    expect(text.match(/^ {2}end$/gm)).toHaveLength(2);
  });
});

describe("plan differences", () => {
  it("GIVEN the same registry WHEN differences are computed THEN there are none", async () => {
    expect(planDifferences(planAll((await defaultRegistry()) as Registry))).toEqual([]);
  });
});

describe("plan: rollback and prune", () => {
  it("GIVEN prune and rollback options WHEN the plan is printed THEN it says what a failure undoes and what prune would delete", async () => {
    const registry = (await defaultRegistry()) as Registry;
    const on = planAll({ ...registry, project: { ...registry.project, prune: true, rollback: "failed" } });
    const text = planText(on, []);
    expect(text).toContain("On a failed rollout: undo the failed Deployments (rollback: failed)");
    expect(text).toContain("Prune: after a successful deploy, delete objects labelled gen-workflows.dev/service that are not in the manifests or cronjobs of these 19 services");
    expect(planText(planAll(registry), [])).toContain("Prune: off");
  });
});

describe("plan: what prune would delete", () => {
  it("GIVEN the committed data files of the full registry WHEN a service and a cronjob are removed THEN the plan names both as what prune deletes, and says they stay with prune off", async () => {
    const full = (await defaultRegistry()) as Registry;
    const committed = new Map(
      generateFrom(full)
        .files.filter((f) => f.path.endsWith(".jsonc"))
        .map((f) => [f.path.includes("staging") ? "staging" : "production", parseDeployData(f.content)] as const),
    );
    const smaller = structuredClone(full);
    smaller.services = smaller.services.filter((s) => s.name !== "analytics-service");
    const billing = smaller.services.find((s) => s.cronjobs?.some((c) => c.name === "complete-expired-guarantees"))!;
    billing.cronjobs = billing.cronjobs!.filter((c) => c.name !== "complete-expired-guarantees");
    const cronjobFile = `infra/k8s/${billing.manifests ?? billing.name}/cronjobs/complete-expired-guarantees.yaml`;

    const on = planAll({ ...smaller, project: { ...smaller.project, prune: true } });
    expect(planText(on, [], committed)).toContain(
      `Prune would delete, compared with the committed .github/deploy/deploy-aks.jsonc: service analytics-service (every object labelled with it), ${cronjobFile}`,
    );
    const json = JSON.parse(planJson(on, [], committed)) as { environments: { removedSinceCommitted: { services: string[]; files: string[] } }[] };
    expect(json.environments[0]!.removedSinceCommitted).toEqual({ services: ["analytics-service"], files: [cronjobFile] });
    expect(planText(planAll(smaller), [], committed)).toContain(`left in the cluster: service analytics-service (every object labelled with it), ${cronjobFile}`);
    expect(planText(planAll({ ...full, project: { ...full.project, prune: true } }), [], committed)).toContain("Prune would delete nothing the committed .github/deploy/deploy-aks.jsonc applies");
  });
});

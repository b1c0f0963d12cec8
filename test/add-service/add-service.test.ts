/**
 * `add-service` end to end, on a temporary copy of the repository (registry, templates/,
 * .github/workflows/), through the real CLI with --config/--root.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { REPO } from "../support/repo.ts";
import { registryCopy, snapshotTree } from "../support/temp-repo.ts";
import { runCli } from "../import/cli.ts";
import { parseDeployData } from "../../generator/runner/data.ts";
import { semanticsOf } from "../import/semantic.ts";

const WORKFLOWS = [".github/workflows/deploy-aks.yml", ".github/workflows/deploy-staging.yml"];
const ROLLBACK_WORKFLOWS = [".github/workflows/deploy-aks-rollback.yml", ".github/workflows/deploy-staging-rollback.yml"];
/** The runner data file a workflow's deploy reads. */
const dataOf = (dir: string, workflow: string) => parseDeployData(readFileSync(join(dir, ".github/deploy", workflow.slice(workflow.lastIndexOf("/") + 1).replace(/\.yml$/, ".jsonc")), "utf8"));

function repoCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), "gen-add-service-"));
  const registry = registryCopy(readFileSync(join(REPO, "services.config.ts"), "utf8"));
  writeFileSync(join(dir, "services.config.ts"), registry);
  cpSync(join(REPO, "templates"), join(dir, "templates"), { recursive: true });
  mkdirSync(join(dir, ".github", "workflows"), { recursive: true });
  for (const w of WORKFLOWS) cpSync(join(REPO, w), join(dir, w));
  for (const w of ROLLBACK_WORKFLOWS) cpSync(join(REPO, w), join(dir, w));
  cpSync(join(REPO, ".github", "deploy"), join(dir, ".github", "deploy"), { recursive: true });
  return dir;
}

const snapshot = snapshotTree;

const cli = (dir: string, args: string[]) => runCli(dir, [...args, "--config", join(dir, "services.config.ts"), "--root", dir]);

describe("add-service payments-service (backend, secrets, Sentry, cronjob)", () => {
  let dir: string;
  let before: Map<string, string>;
  let result: ReturnType<typeof runCli>;
  beforeAll(() => {
    dir = repoCopy();
    before = snapshot(dir);
    result = cli(dir, ["add-service", "payments-service", "--kind", "backend", "--secrets", "supabase-secrets,stripe-secrets", "--sentry", "--cronjob", "settle-payments=0 * * * *"]);
  });

  it("GIVEN a copy of the repository WHEN the service is added THEN it exits 0 and creates exactly the scaffold, the registry entry and the two workflows", () => {
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const after = snapshot(dir);
    const changed = [...after.keys()].filter((k) => before.get(k) !== after.get(k)).sort();
    expect(changed).toEqual(
      [
        ".github/deploy/deploy-aks.jsonc",
        ".github/deploy/deploy-staging.jsonc",
        ...ROLLBACK_WORKFLOWS,
        ".github/workflows/deploy-aks.yml",
        ".github/workflows/deploy-staging.yml",
        "infra/k8s/payments-service/cronjobs/settle-payments.yaml",
        "infra/k8s/payments-service/deployment.yaml",
        "services.config.ts",
        "services/payments-service/Dockerfile",
      ].sort(),
    );
    expect(result.stdout).toContain("created services/payments-service/Dockerfile\n");
  });

  it("GIVEN the edited registry WHEN compared with the original THEN only the new entry was inserted, after the last backend, with the neighbour's dependsOn constant", () => {
    const was = before.get("services.config.ts")!;
    const now = readFileSync(join(dir, "services.config.ts"), "utf8");
    const entry = [
      "    {",
      '      name: "payments-service",',
      '      kind: "backend",',
      '      path: "services/payments-service",',
      "      dependsOn: messaging,",
      '      secrets: ["supabase-secrets", "stripe-secrets"],',
      "      sentry: true,",
      '      cronjobs: [{ name: "settle-payments", schedule: "0 * * * *" }],',
      "    },",
      "",
    ].join("\n");
    const anchor = '    { name: "health-monitor", kind: "backend", path: "services/health-monitor", dependsOn: messaging, secrets: ["internal-service-secrets"] },\n';
    expect(now).toBe(was.replace(anchor, anchor + entry));
  });

  it("GIVEN the scaffold WHEN read THEN it follows the seed's patterns (multi-stage, non-root, resources, probes, secretKeyRef, Forbid)", () => {
    const dockerfile = readFileSync(join(dir, "services/payments-service/Dockerfile"), "utf8");
    expect(dockerfile).toMatch(/^FROM node:20-alpine AS production$/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    // Copies only its own folder (and the workspace packages), so affected-only builds can skip it.
    expect(dockerfile).not.toMatch(/^COPY \. \.$/m);
    expect(dockerfile).toMatch(/^COPY services\/payments-service \.\/services\/payments-service$/m);
    const docs = readFileSync(join(dir, "infra/k8s/payments-service/deployment.yaml"), "utf8").split(/^---$/m).map((d) => parse(d));
    const container = docs[0].spec.template.spec.containers[0];
    expect(container.image).toBe("${ACR_SERVER}/payments-service:${IMAGE_TAG}");
    expect(container.resources.limits).toEqual({ memory: "512Mi", cpu: "500m" });
    expect(container.readinessProbe.httpGet.path).toBe("/health");
    expect(container.livenessProbe.httpGet.path).toBe("/health");
    const refs = container.env.filter((e: any) => e.valueFrom).map((e: any) => `${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}`);
    expect(refs).toEqual(["supabase-secrets/supabase-anon-key", "supabase-secrets/supabase-service-role-key", "supabase-secrets/supabase-url", "stripe-secrets/stripe-publishable-key", "stripe-secrets/stripe-secret-key", "stripe-secrets/stripe-webhook-secret"]);
    expect(docs[1].kind).toBe("Service");
    const cron = parse(readFileSync(join(dir, "infra/k8s/payments-service/cronjobs/settle-payments.yaml"), "utf8"));
    expect(cron.spec).toMatchObject({ schedule: "0 * * * *", concurrencyPolicy: "Forbid" });
  });

  it("GIVEN the regenerated workflows WHEN checked THEN --check exits 0 and both build, deploy and await the new service with its cronjob", () => {
    expect(cli(dir, ["--check"]).code).toBe(0);
    for (const w of WORKFLOWS) {
      const sem = semanticsOf(readFileSync(join(dir, w), "utf8"), undefined, dataOf(dir, w));
      expect(sem.built).toContain("payments-service");
      expect(sem.rollouts).toContain("payments-service");
      expect(sem.applied).toContain("infra/k8s/payments-service/");
      expect(sem.applied).toContain("infra/k8s/payments-service/cronjobs/settle-payments.yaml");
      expect(sem.order).toContain("rabbitmq<payments-service");
      expect(sem.sentry).toContain("payments-service");
    }
  });

  it("GIVEN the audit command WHEN run on the repository THEN it has no finding for the new service, and it would have one without the Dockerfile", () => {
    const findings = (r: ReturnType<typeof runCli>) => (JSON.parse(r.stdout).diagnostics as { message: string; path?: string; file: string }[]).filter((d) => JSON.stringify(d).includes("payments-service"));
    expect(findings(cli(dir, ["audit", "--format", "json"]))).toEqual([]);
    const copy = mkdtempSync(join(tmpdir(), "gen-add-service-audit-"));
    cpSync(dir, copy, { recursive: true });
    rmSync(join(copy, "services/payments-service/Dockerfile"));
    const r = runCli(copy, ["audit", "--format", "json", "--config", join(copy, "services.config.ts"), "--root", copy]);
    expect(findings(r).length).toBeGreaterThan(0);
  });
});

describe("add-service kinds", () => {
  it("GIVEN a frontend WHEN added THEN its Dockerfile is under apps/ and it goes after the last frontend, depending on what that one depends on", () => {
    const dir = repoCopy();
    const r = cli(dir, ["add-service", "admin", "--kind", "frontend"]);
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, "apps/admin/Dockerfile"))).toBe(true);
    const text = readFileSync(join(dir, "services.config.ts"), "utf8");
    expect(text).toMatch(/name: "corporate",[\s\S]*\n    \},\n    \{\n      name: "admin",\n      kind: "frontend",\n      path: "apps\/admin",\n      dependsOn: \["api-gateway"\],\n    \},\n  \],\n\}\);\n$/);
  });

  it("GIVEN an infrastructure service WHEN added THEN there is no Dockerfile, image: false, and it deploys in the first phase", () => {
    const dir = repoCopy();
    const r = cli(dir, ["add-service", "memcached", "--kind", "infrastructure"]);
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, "services/memcached"))).toBe(false);
    expect(readFileSync(join(dir, "services.config.ts"), "utf8")).toContain('    { name: "rabbitmq", kind: "infrastructure", image: false, rolloutTimeoutSeconds: 120 },\n    { name: "memcached", kind: "infrastructure", image: false },\n');
    const sem = semanticsOf(readFileSync(join(dir, WORKFLOWS[0]!), "utf8"), undefined, dataOf(dir, WORKFLOWS[0]!));
    expect(sem.built).not.toContain("memcached");
    // No dependencies: the scheduler applies it at once, before anything else is ready.
    expect(sem.rollouts).toContain("memcached");
    expect(sem.order.filter((o) => o.endsWith("<memcached"))).toEqual([]);
  });
});

describe("add-service refusals: exit 2, nothing written", () => {
  const cases: { name: string; args: string[]; message: string; prepare?: (dir: string) => void }[] = [
    { name: "an existing name", args: ["add-service", "redis", "--kind", "infrastructure"], message: 'a service named "redis" already exists in services.config.ts' },
    { name: "an invalid name", args: ["add-service", "Payments_Service", "--kind", "backend"], message: '"Payments_Service" is not a valid service name' },
    { name: "an unknown kind", args: ["add-service", "payments", "--kind", "worker"], message: '--kind must be one of infrastructure, backend, gateway, frontend, got "worker"' },
    { name: "an unknown secret group", args: ["add-service", "payments", "--kind", "backend", "--secrets", "stripe-secrets,vault"], message: 'unknown secret group "vault" (known: clerk-secrets, internal-service-secrets, openai-secrets, resend-secrets, stripe-secrets, supabase-secrets)' },
    { name: "a malformed cronjob", args: ["add-service", "payments", "--kind", "backend", "--cronjob", "nightly"], message: '--cronjob "nightly" must be <name>=<cron schedule>' },
    { name: "a cronjob on infrastructure", args: ["add-service", "memcached", "--kind", "infrastructure", "--cronjob", "flush=0 0 * * *"], message: "an infrastructure service uses an off-the-shelf image" },
    {
      name: "an existing scaffold file",
      args: ["add-service", "payments", "--kind", "backend"],
      message: "infra/k8s/payments/deployment.yaml already exists",
      prepare: (dir) => {
        mkdirSync(join(dir, "infra/k8s/payments"), { recursive: true });
        writeFileSync(join(dir, "infra/k8s/payments/deployment.yaml"), "# mine\n");
      },
    },
    {
      name: "a hand-written workflow at a generated path",
      args: ["add-service", "payments", "--kind", "backend"],
      message: ".github/workflows/deploy-staging.yml exist but were not generated by gen:workflows",
      prepare: (dir) => writeFileSync(join(dir, ".github/workflows/deploy-staging.yml"), "name: mine\non: push\njobs: {}\n"),
    },
  ];
  it.each(cases)("GIVEN $name WHEN add-service runs THEN it is refused", ({ args, message, prepare }) => {
    const dir = repoCopy();
    prepare?.(dir);
    const before = snapshot(dir);
    const r = cli(dir, args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain("Nothing was written.");
    expect(snapshot(dir)).toEqual(before);
  });
});

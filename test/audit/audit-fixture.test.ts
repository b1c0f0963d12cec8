/**
 * `gen:workflows audit` through the real CLI on a copy of test/fixtures/monorepo: the fixture as
 * it is has no finding; each case breaks one thing and expects exactly that finding's code, file
 * and line (the line is looked up in the mutated file, by the text the case wrote).
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LAUNCHER, REPO } from "../support/repo.ts";

const FIXTURE = join(REPO, "test", "fixtures", "monorepo");
const temps: string[] = [];
afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })));

function copyFixture(): string {
  const dir = mkdtempSync(join(tmpdir(), "audit-"));
  temps.push(dir);
  cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

interface Finding {
  code: string;
  severity: "error" | "warning";
  file: string;
  line?: number;
  column?: number;
  message: string;
  fix?: string;
}

function audit(dir: string, ...extra: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [LAUNCHER, "audit", "--root", dir, "--config", join(dir, "services.config.ts"), ...extra], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", GITHUB_ACTIONS: "", GITHUB_STEP_SUMMARY: "" },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function auditJson(dir: string): { exit: number; findings: Finding[]; status: string; checked: Record<string, unknown> } {
  const r = audit(dir, "--format", "json");
  const doc = JSON.parse(r.stdout) as { status: string; diagnostics: Finding[]; checked: Record<string, unknown> };
  return { exit: r.code, findings: doc.diagnostics, status: doc.status, checked: doc.checked };
}

const read = (dir: string, file: string): string => readFileSync(join(dir, file), "utf8");
const write = (dir: string, file: string, text: string): void => {
  mkdirSync(dirname(join(dir, file)), { recursive: true });
  writeFileSync(join(dir, file), text);
};
function edit(dir: string, file: string, from: string | RegExp, to: string): void {
  const before = read(dir, file);
  const after = before.replace(from, to);
  if (after === before) throw new Error(`test bug: ${String(from)} not found in ${file}`);
  write(dir, file, after);
}
/** 1-based line of the first line containing `marker` (after `after`, when given). */
function lineOf(dir: string, file: string, marker: string, after?: string): number {
  const lines = read(dir, file).split("\n");
  const start = after === undefined ? 0 : lines.findIndex((l) => l.includes(after));
  const i = lines.findIndex((l, n) => n >= start && l.includes(marker));
  if (i < 0) throw new Error(`test bug: ${marker} not in ${file}`);
  return i + 1;
}

const CONFIG = "services.config.ts";
const GW = "infra/k8s/api-gateway/deployment.yaml";
const BILLING = "infra/k8s/billing-service/deployment.yaml";
const CRON = "infra/k8s/billing-service/cronjobs/create-invoices.yaml";

interface Case {
  code: string;
  given: string;
  mutate(dir: string): void;
  file: string;
  line(dir: string): number | undefined;
  severity?: "error" | "warning";
}

const cases: Case[] = [
  {
    code: "AUDIT_SERVICE_UNREGISTERED",
    given: "services/search-service/ has a Dockerfile but is not in the registry",
    mutate: (d) => write(d, "services/search-service/Dockerfile", "FROM node:20-alpine AS production\n"),
    file: "services/search-service/Dockerfile",
    line: () => 1,
  },
  {
    code: "AUDIT_DOCKERFILE_MISSING",
    given: "apps/portal/Dockerfile is deleted",
    mutate: (d) => rmSync(join(d, "apps/portal/Dockerfile")),
    file: CONFIG,
    line: (d) => lineOf(d, CONFIG, 'path: "apps/portal"'),
  },
  {
    code: "AUDIT_DEPLOYMENT_MISSING",
    given: "infra/k8s/portal/deployment.yaml is deleted",
    mutate: (d) => rmSync(join(d, "infra/k8s/portal/deployment.yaml")),
    file: CONFIG,
    line: (d) => lineOf(d, CONFIG, 'name: "portal"'),
  },
  {
    code: "AUDIT_DEPLOYMENT_NAME_MISMATCH",
    given: "the api-gateway Deployment is named gateway",
    mutate: (d) => edit(d, GW, "  name: api-gateway\n  namespace: shop\nspec:\n  replicas", "  name: gateway\n  namespace: shop\nspec:\n  replicas"),
    file: GW,
    line: (d) => lineOf(d, GW, "name: gateway"),
  },
  {
    code: "AUDIT_SERVICE_MANIFEST_MISSING",
    given: "the portal's deployment.yaml has no Service",
    mutate: (d) => write(d, "infra/k8s/portal/deployment.yaml", read(d, "infra/k8s/portal/deployment.yaml").split("\n---\n")[0]! + "\n"),
    file: "infra/k8s/portal/deployment.yaml",
    line: () => 1,
  },
  {
    code: "AUDIT_MANIFEST_FOLDER_UNREGISTERED",
    given: "infra/k8s/legacy-worker/ holds a Deployment no service registers",
    mutate: (d) => write(d, "infra/k8s/legacy-worker/deployment.yaml", read(d, GW).replaceAll("api-gateway", "legacy-worker")),
    file: "infra/k8s/legacy-worker/deployment.yaml",
    line: () => 1,
  },
  {
    code: "AUDIT_CRONJOB_NOT_APPLIED",
    given: "a cronjob file on disk that billing-service does not register",
    mutate: (d) => write(d, "infra/k8s/billing-service/cronjobs/send-reminders.yaml", read(d, CRON).replaceAll("create-invoices", "send-reminders")),
    file: "infra/k8s/billing-service/cronjobs/send-reminders.yaml",
    line: () => 1,
  },
  {
    code: "AUDIT_JOB_NOT_APPLIED",
    given: "a job file on disk that billing-service does not register",
    mutate: (d) =>
      write(d, "infra/k8s/billing-service/jobs/fix-totals.yaml", read(d, "infra/k8s/billing-service/jobs/backfill-invoices.yaml").replaceAll("backfill-invoices", "fix-totals")),
    file: "infra/k8s/billing-service/jobs/fix-totals.yaml",
    line: () => 1,
  },
  {
    code: "AUDIT_NESTED_FOLDER_SKIPPED",
    given: "cronjobs nested one folder deeper, where `kubectl apply -f dir/` never looks",
    mutate: (d) => write(d, "infra/k8s/billing-service/cronjobs/nightly/cleanup.yaml", read(d, CRON).replaceAll("create-invoices", "cleanup")),
    file: "infra/k8s/billing-service/cronjobs/nightly/cleanup.yaml",
    line: () => 1,
  },
  {
    code: "AUDIT_CRONJOB_FILE_MISSING",
    given: "the registered cronjob create-invoices has no file",
    mutate: (d) => rmSync(join(d, CRON)),
    file: CONFIG,
    line: (d) => lineOf(d, CONFIG, '"create-invoices"'),
  },
  {
    code: "AUDIT_JOB_FILE_MISSING",
    given: "the registered job backfill-invoices has no file",
    mutate: (d) => rmSync(join(d, "infra/k8s/billing-service/jobs/backfill-invoices.yaml")),
    file: CONFIG,
    line: (d) => lineOf(d, CONFIG, '"backfill-invoices"'),
  },
  {
    code: "AUDIT_APPLIED_FILE_MISSING",
    given: "the staging ingress manifest is deleted",
    mutate: (d) => rmSync(join(d, "infra/k8s/staging-ingress.yaml")),
    file: CONFIG,
    line: (d) => lineOf(d, CONFIG, 'ingressManifest: "staging-ingress.yaml"'),
  },
  {
    code: "AUDIT_SECRET_REF_UNKNOWN",
    given: "billing-service reads a stripe key the registry does not define",
    mutate: (d) => edit(d, BILLING, "key: stripe-secret-key", "key: stripe-api-key"),
    file: BILLING,
    line: (d) => lineOf(d, BILLING, "name: stripe-secrets"),
  },
  {
    code: "AUDIT_SECRET_GROUP_NOT_DECLARED",
    given: "identity-service reads stripe-secrets without declaring the group",
    mutate: (d) => edit(d, "infra/k8s/identity-service/deployment.yaml", "name: db-secrets\n                  key: database-url", "name: stripe-secrets\n                  key: stripe-secret-key"),
    file: "infra/k8s/identity-service/deployment.yaml",
    line: (d) => lineOf(d, "infra/k8s/identity-service/deployment.yaml", "name: stripe-secrets"),
  },
  {
    code: "AUDIT_SECRET_KEY_UNUSED",
    given: "a registry key that no manifest reads",
    mutate: (d) => edit(d, CONFIG, '"stripe-secret-key": "STRIPE_SECRET_KEY" }', '"stripe-secret-key": "STRIPE_SECRET_KEY", "stripe-webhook-secret": "STRIPE_WEBHOOK_SECRET" }'),
    file: CONFIG,
    line: (d) => lineOf(d, CONFIG, '"stripe-webhook-secret"'),
    severity: "warning",
  },
  {
    code: "AUDIT_RESOURCES_MISSING",
    given: "the api-gateway container has no limits",
    mutate: (d) => edit(d, GW, '            limits:\n              memory: "512Mi"\n              cpu: "500m"\n', ""),
    file: GW,
    line: (d) => lineOf(d, GW, "resources:"),
  },
  {
    code: "AUDIT_PROBES_MISSING",
    given: "the api-gateway container has no liveness probe",
    mutate: (d) => edit(d, GW, "          livenessProbe:\n            httpGet:\n              path: /health\n              port: 3000\n", ""),
    file: GW,
    line: (d) => lineOf(d, GW, "- name: api-gateway"),
  },
  {
    code: "AUDIT_CRONJOB_CONCURRENCY",
    given: "the cronjob allows overlapping runs",
    mutate: (d) => edit(d, CRON, "concurrencyPolicy: Forbid", "concurrencyPolicy: Allow"),
    file: CRON,
    line: (d) => lineOf(d, CRON, "concurrencyPolicy: Allow"),
  },
  {
    code: "AUDIT_IMAGE_HARDCODED",
    given: "the portal's image is a hard-coded registry and tag",
    mutate: (d) => edit(d, "infra/k8s/portal/deployment.yaml", "image: ${ACR_SERVER}/portal:${IMAGE_TAG}", "image: shopacr.azurecr.io/portal:v2.0.1"),
    file: "infra/k8s/portal/deployment.yaml",
    line: (d) => lineOf(d, "infra/k8s/portal/deployment.yaml", "image: shopacr.azurecr.io/portal:v2.0.1"),
  },
  {
    code: "AUDIT_MANIFEST_VARIABLE_UNDEFINED",
    given: "a manifest uses ${SENTRY_DSN}, which no environment's envsubst exports",
    mutate: (d) => edit(d, BILLING, 'value: "production"', 'value: "production"\n            - name: SENTRY_DSN\n              value: "${SENTRY_DSN}"'),
    file: BILLING,
    line: (d) => lineOf(d, BILLING, 'value: "${SENTRY_DSN}"'),
  },
  {
    code: "AUDIT_BUILD_SECRET_IN_DOCKERFILE",
    given: "the portal's Sentry token is a build secret, but its Dockerfile still declares it as an ARG",
    mutate: (d) => {
      edit(d, CONFIG, 'buildArgs: { NEXT_PUBLIC_API_URL: "https://{domains.api}" } }', 'buildArgs: { NEXT_PUBLIC_API_URL: "https://{domains.api}" }, buildSecrets: { SENTRY_AUTH_TOKEN: "SENTRY_AUTH_TOKEN" } }');
      edit(d, "apps/portal/Dockerfile", "WORKDIR /app\n", "WORKDIR /app\nARG NEXT_PUBLIC_API_URL SENTRY_AUTH_TOKEN\n");
    },
    file: "apps/portal/Dockerfile",
    line: (d) => lineOf(d, "apps/portal/Dockerfile", "ARG NEXT_PUBLIC_API_URL SENTRY_AUTH_TOKEN"),
  },
  {
    code: "AUDIT_INGRESS_NGINX_RETIRED",
    given: "the cluster prerequisites install ingress-nginx",
    mutate: (d) =>
      edit(d, "templates/deploy/cluster-prerequisites.yml", "steps:\n", "steps:\n  - name: Install ingress-nginx controller\n    run: kubectl apply -f https://raw.githubusercontent.com/kubernetes/ingress-nginx/controller-v1.12.1/deploy/static/provider/cloud/deploy.yaml\n"),
    file: "templates/deploy/cluster-prerequisites.yml",
    line: (d) => lineOf(d, "templates/deploy/cluster-prerequisites.yml", "Install ingress-nginx controller"),
    severity: "warning",
  },
  {
    code: "AUDIT_MANIFEST_INVALID_YAML",
    given: "a manifest that no longer parses",
    mutate: (d) => edit(d, "infra/k8s/redis/deployment.yaml", "  replicas: 1\n", "  replicas: 1\n  replicas: 2\n"),
    file: "infra/k8s/redis/deployment.yaml",
    line: (d) => lineOf(d, "infra/k8s/redis/deployment.yaml", "replicas: 2"),
  },
];

describe("gen:workflows audit on the fixture monorepo", () => {
  it("GIVEN the fixture as it is WHEN audited THEN there is no finding and the exit code is 0", () => {
    const dir = copyFixture();
    const r = auditJson(dir);
    expect(r.findings).toEqual([]);
    expect(r.status).toBe("ok");
    expect(r.exit).toBe(0);
    expect(r.checked).toMatchObject({ services: 5, builtServices: 4, sourceFolders: 4, sourceTree: true });
  });

  it("has a case for every AUDIT_ code in diagnostics.ts", () => {
    const source = readFileSync(join(REPO, "generator", "diagnostics.ts"), "utf8");
    const codes = [...source.matchAll(/"(AUDIT_[A-Z_]+)"/g)].map((m) => m[1]!).filter((c) => c !== "AUDIT_SOURCE_TREE_MISSING");
    expect(cases.map((c) => c.code).sort()).toEqual([...new Set(codes)].sort());
  });

  it.each(cases)("GIVEN $given WHEN audited THEN $code is reported at its file and line", (c) => {
    const dir = copyFixture();
    c.mutate(dir);
    const r = auditJson(dir);
    const expectedLine = c.line(dir);
    expect(r.findings.map((f) => f.code)).toContain(c.code);
    const finding = r.findings.find((f) => f.code === c.code)!;
    expect({ file: finding.file, line: finding.line, severity: finding.severity }).toEqual({ file: c.file, line: expectedLine, severity: c.severity ?? "error" });
    expect(finding.fix).toBeTruthy();
    // One mutation, one kind of finding: nothing else in the fixture breaks by accident.
    expect([...new Set(r.findings.map((f) => f.code))]).toEqual([c.code]);
    expect(r.exit).toBe(c.severity === "warning" ? 0 : 1);
  });

  it("GIVEN an unregistered manifests folder listed in project.auditIgnore WHEN audited THEN it is not reported", () => {
    const dir = copyFixture();
    write(dir, "infra/k8s/legacy-worker/deployment.yaml", read(dir, GW).replaceAll("api-gateway", "legacy-worker"));
    expect(auditJson(dir).findings.map((f) => f.code)).toEqual(["AUDIT_MANIFEST_FOLDER_UNREGISTERED"]);
    edit(dir, CONFIG, 'manifestsRoot: "infra/k8s",', 'manifestsRoot: "infra/k8s",\n    auditIgnore: ["infra/k8s/legacy-worker"],');
    const r = auditJson(dir);
    expect(r.findings).toEqual([]);
    expect(r.exit).toBe(0);
  });

  it("GIVEN a repository with no services/, apps/ or infra/k8s/ WHEN audited THEN one AUDIT_SOURCE_TREE_MISSING warning says what was checked, exit 0", () => {
    const dir = copyFixture();
    for (const d of ["services", "apps", "infra"]) rmSync(join(dir, d), { recursive: true });
    const json = auditJson(dir);
    expect(json.findings.map((f) => [f.code, f.severity, f.file])).toEqual([["AUDIT_SOURCE_TREE_MISSING", "warning", CONFIG]]);
    expect(json.exit).toBe(0);
    const text = audit(dir);
    expect(text.stdout).toContain("[AUDIT_SOURCE_TREE_MISSING]");
    expect(text.stdout).toContain("audit: 0 errors, 1 warning; checked the registry (5 services) and its 4 generated workflows");
  });

  it("GIVEN a repository without its own templates WHEN audited THEN the ingress-nginx warning points at the step of each generated workflow that runs the built-in one", () => {
    const dir = copyFixture();
    rmSync(join(dir, "templates"), { recursive: true });
    const warnings = auditJson(dir).findings.filter((f) => f.code === "AUDIT_INGRESS_NGINX_RETIRED");
    expect(warnings.map((f) => f.file).sort()).toEqual([".github/workflows/deploy-aks.yml", ".github/workflows/deploy-staging.yml"]);
    expect(warnings.every((f) => f.severity === "warning" && /Gateway API/.test(f.fix ?? "") && /copy the built-in templates\/deploy\/cluster-prerequisites\.yml/.test(f.fix ?? ""))).toBe(true);
  });

  it("GIVEN findings WHEN audited as text THEN each is `file:line: message [CODE]` with its fix, and a summary line", () => {
    const dir = copyFixture();
    edit(dir, CRON, "concurrencyPolicy: Forbid", "concurrencyPolicy: Replace");
    const r = audit(dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${CRON}:${lineOf(dir, CRON, "concurrencyPolicy")}: CronJob create-invoices has concurrencyPolicy Replace`);
    expect(r.stdout).toContain("[AUDIT_CRONJOB_CONCURRENCY]\n  fix: set spec.concurrencyPolicy: Forbid");
    expect(r.stdout).toMatch(/audit: 1 error, 0 warnings; checked 5 registered services/);
    expect(r.stdout).not.toMatch(/\u001b\[/);
  });

  it("GIVEN findings under GITHUB_ACTIONS=true WHEN audited THEN ::error annotations are printed and a Markdown table is appended to the step summary", () => {
    const dir = copyFixture();
    edit(dir, CRON, "concurrencyPolicy: Forbid", "concurrencyPolicy: Allow");
    const summary = join(dir, "summary.md");
    const r = spawnSync(process.execPath, [LAUNCHER, "audit", "--root", dir, "--config", join(dir, CONFIG)], {
      cwd: dir,
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1", GITHUB_ACTIONS: "true", GITHUB_STEP_SUMMARY: summary },
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`::error file=${CRON},line=${lineOf(dir, CRON, "concurrencyPolicy")},title=AUDIT_CRONJOB_CONCURRENCY::`);
    const md = readFileSync(summary, "utf8");
    expect(md).toContain("### Repository audit");
    expect(md).toContain("| error | `AUDIT_CRONJOB_CONCURRENCY` |");
  });

  it("GIVEN a registry with errors WHEN audited THEN exit 2 and nothing is audited", () => {
    const dir = copyFixture();
    edit(dir, CONFIG, 'dependsOn: ["redis"], secrets: ["db-secrets"]', 'dependsOn: ["rediss"], secrets: ["db-secrets"]');
    const r = audit(dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("SERVICE_UNKNOWN_DEPENDENCY");
    expect(r.stdout).toBe("");
  });

  it("GIVEN an unknown option WHEN audit runs THEN exit 2 with the usage", () => {
    const r = audit(copyFixture(), "--bogus");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Usage:");
  });
});

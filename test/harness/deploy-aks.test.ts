/**
 * The harness against the real hand-written production workflow: if it can run that file's jobs
 * and report what they did, it can do the same for the generated workflows.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callsOf, maxConcurrency } from "./calls.ts";
import { runJob } from "./run-job.ts";
import type { FailRule, JobRunResult, StepResult, ToolCall } from "./run-job.ts";
import { makeWorkdir } from "./test-workdir.ts";
import type { Workdir } from "./test-workdir.ts";

const here = dirname(fileURLToPath(import.meta.url));
// The reference customer's real hand-written production workflow (a copy of shared/fixtures/handwritten/).
const workflowText = readFileSync(resolve(here, "../fixtures/handwritten/deploy-aks.yml"), "utf8");

const SHA = "0123456789abcdef0123456789abcdef01234567";
const SECRETS: Record<string, string> = {
  AZURE_CREDENTIALS: `{"clientId":"fake-client"}`,
  ACR_NAME: "splitsacr",
  ACR_LOGIN_SERVER: "splitsacr.azurecr.io",
  AKS_RESOURCE_GROUP: "rg-splits",
  AKS_CLUSTER_NAME: "aks-splits",
  SUPABASE_URL: "https://fake.supabase.co",
  SUPABASE_ANON_KEY: "fake-anon-key",
  SUPABASE_SERVICE_ROLE_KEY: "fake-service-role",
  SPLITS_CLERK_PUBLISHABLE_KEY: "pk_fake_splits",
  SPLITS_CLERK_SECRET_KEY: "sk_fake_splits",
  SPLITS_CLERK_JWKS_URL: "https://fake.clerk/splits/jwks",
  APP_CLERK_PUBLISHABLE_KEY: "pk_fake_app",
  APP_CLERK_SECRET_KEY: "sk_fake_app",
  APP_CLERK_JWKS_URL: "https://fake.clerk/app/jwks",
  STRIPE_SECRET_KEY: "sk_fake_stripe",
  STRIPE_WEBHOOK_SECRET: "whsec_fake",
  STRIPE_PUBLISHABLE_KEY: "pk_fake_stripe",
  RESEND_API_KEY: "re_fake",
  OPENAI_API_KEY: "sk-fake-openai",
  INTERNAL_SERVICE_KEY: "fake-internal-key",
  SENTRY_AUTH_TOKEN: "sntrys_fake_token",
};

const CORE_SERVICES = [
  "identity-service", "ats-service", "network-service", "billing-service", "notification-service",
  "automation-service", "document-service", "ai-service", "document-processing-service", "analytics-service",
];
const DEPLOYMENTS = ["redis", "rabbitmq", ...CORE_SERVICES, "api-gateway", "portal", "candidate", "corporate"];

/** The files the deploy job's scripts read: one deployment manifest per service, plus the ingress. */
function deployCheckout(): Record<string, string> {
  const files: Record<string, string> = { VERSION: "1.4.2\n" };
  for (const name of DEPLOYMENTS) {
    const image = name === "redis" || name === "rabbitmq" ? `${name}:7` : `\${ACR_SERVER}/${name}:\${IMAGE_TAG}`;
    files[`infra/k8s/${name}/deployment.yaml`] = [
      "apiVersion: apps/v1",
      "kind: Deployment",
      "metadata:",
      `  name: ${name}`,
      "spec:",
      "  template:",
      "    spec:",
      "      containers:",
      `        - name: ${name}`,
      `          image: ${image}`,
      "",
    ].join("\n");
  }
  files["infra/k8s/ingress.yaml"] = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: splits-ingress\n";
  return files;
}

function step(result: JobRunResult, name: string): StepResult {
  const found = result.steps.find((s) => s.name === name);
  if (!found) throw new Error(`no step "${name}"`);
  return found;
}

/** The value after `flag` (or of `flag=value`) in a call's arguments. */
function argValue(call: ToolCall, flag: string): string | undefined {
  const index = call.args.indexOf(flag);
  if (index >= 0) return call.args[index + 1];
  return call.args.find((arg) => arg.startsWith(`${flag}=`))?.slice(flag.length + 1);
}

function secretKeys(result: JobRunResult, name: string): string[] {
  const secret = result.kubeObjects.find((o) => o.kind === "Secret" && o.name === name);
  const data = secret?.manifest.data;
  return data && typeof data === "object" ? Object.keys(data) : [];
}

describe("deploy-aks.yml, job deploy", () => {
  const workdirs: Workdir[] = [];
  let workdir: Workdir;
  let result: JobRunResult;
  let failed: JobRunResult;
  const gatewayTimeout: FailRule = {
    tool: "kubectl",
    argsInclude: ["rollout", "status", "deployment/api-gateway"],
    stderr: "error: timed out waiting for the condition",
  };

  async function deploy(fail: FailRule[] = []): Promise<{ result: JobRunResult; workdir: Workdir }> {
    const checkout = makeWorkdir(deployCheckout());
    workdirs.push(checkout);
    const run = await runJob({
      workflowText,
      jobId: "deploy",
      workdir: checkout.dir,
      context: {
        github: { sha: SHA, ref: "refs/heads/main", event_name: "push", run_id: "9001", repository: "splits/network" },
        secrets: SECRETS,
        needs: { "build-and-push": { result: "success", outputs: {} } },
      },
      fail,
    });
    return { result: run, workdir: checkout };
  }

  // Each run is shared by the read-only assertions below; the two runs are independent, so run them together.
  beforeAll(async () => {
    const [ok, withFailure] = await Promise.all([deploy(), deploy([gatewayTimeout])]);
    ({ result, workdir } = ok);
    failed = withFailure.result;
  });
  afterAll(() => {
    for (const w of workdirs) w.remove();
  });

  it("GIVEN all secrets WHEN the deploy job runs THEN every step succeeds", () => {
    expect(result.steps.filter((s) => s.outcome !== "success").map((s) => `${s.name}: ${s.stderr}`)).toEqual([]);
    expect(result.conclusion).toBe("success");
  });

  it("GIVEN the deploy job WHEN it runs THEN it gets AKS credentials for the configured cluster first", () => {
    const [first] = result.calls;
    expect(first?.tool).toBe("az");
    expect(first?.args).toEqual(["aks", "get-credentials", "--resource-group", "rg-splits", "--name", "aks-splits", "--overwrite-existing"]);
  });

  it("GIVEN the deploy job WHEN it runs THEN kubectl applies namespace, secrets, infrastructure, services, gateway, apps, ingress in that order", () => {
    const applied = callsOf(result.calls, "kubectl", "apply").map((c) => argValue(c, "-f"));
    expect(applied).toEqual([
      ...Array<string>(7).fill("-"),
      "infra/k8s/redis/",
      "infra/k8s/rabbitmq/",
      ...CORE_SERVICES.map((s) => `infra/k8s/${s}/`),
      "infra/k8s/api-gateway/",
      "infra/k8s/portal/",
      "infra/k8s/candidate/",
      "infra/k8s/corporate/",
      "infra/k8s/ingress.yaml",
    ]);
  });

  it("GIVEN the deploy job WHEN it runs THEN it waits for each deployment after applying it, one wait at a time", () => {
    const rollouts = callsOf(result.calls, "kubectl", "rollout", "status");
    expect(rollouts.map((c) => c.args[2])).toEqual(DEPLOYMENTS.map((d) => `deployment/${d}`));
    for (const rollout of rollouts) {
      const name = rollout.args[2]?.replace("deployment/", "");
      const applyIndex = result.calls.findIndex((c) => c.args[0] === "apply" && argValue(c, "-f") === `infra/k8s/${name}/`);
      expect(applyIndex).toBeGreaterThanOrEqual(0);
      expect(applyIndex).toBeLessThan(result.calls.indexOf(rollout));
    }
    // The hand-written workflow waits serially; a generated one may overlap them (maxConcurrency > 1).
    expect(maxConcurrency(rollouts)).toBe(1);
  });

  it("GIVEN the secrets step WHEN it runs THEN each Kubernetes secret gets exactly its keys in the app namespace", () => {
    const secrets = result.kubeObjects.filter((o) => o.kind === "Secret");
    expect(secrets.map((s) => `${s.namespace}/${s.name}`)).toEqual(
      ["clerk-secrets", "internal-service-secrets", "openai-secrets", "resend-secrets", "stripe-secrets", "supabase-secrets"].map((n) => `splits-network/${n}`),
    );
    expect(secretKeys(result, "supabase-secrets")).toEqual(["supabase-url", "supabase-anon-key", "supabase-service-role-key"]);
    expect(secretKeys(result, "clerk-secrets")).toEqual([
      "splits-clerk-publishable-key", "splits-clerk-secret-key", "splits-clerk-jwks-url",
      "app-clerk-publishable-key", "app-clerk-secret-key", "app-clerk-jwks-url",
    ]);
    expect(secretKeys(result, "stripe-secrets")).toEqual(["stripe-secret-key", "stripe-webhook-secret", "stripe-publishable-key"]);
    expect(secretKeys(result, "resend-secrets")).toEqual(["resend-api-key"]);
    const openai = result.kubeObjects.find((o) => o.name === "openai-secrets")?.manifest.data as Record<string, string>;
    expect(Buffer.from(openai["openai-api-key"] ?? "", "base64").toString()).toBe(SECRETS.OPENAI_API_KEY);
  });

  it("GIVEN ${ACR_SERVER}/${IMAGE_TAG} placeholders WHEN envsubst rewrites the manifests THEN the applied images carry the registry and commit", () => {
    const image = (name: string) => {
      const manifest = result.kubeObjects.find((o) => o.kind === "Deployment" && o.name === name)?.manifest;
      return JSON.stringify(manifest).match(/"image":"([^"]+)"/)?.[1];
    };
    expect(image("portal")).toBe(`splitsacr.azurecr.io/portal:${SHA}`);
    expect(image("redis")).toBe("redis:7");
    // The step rewrites the checkout in place, as it would on the runner.
    expect(readFileSync(resolve(workdir.dir, "infra/k8s/api-gateway/deployment.yaml"), "utf8")).toContain(`splitsacr.azurecr.io/api-gateway:${SHA}`);
  });

  it("GIVEN secrets passed inline in scripts WHEN steps run THEN no run step has a secret in its environment; only azure/login gets one, as an input", () => {
    const exposed = result.steps.filter((s) => s.secretNamesVisible.length > 0).map((s) => [s.name, s.secretNamesVisible]);
    expect(exposed).toEqual([["Login to Azure", ["AZURE_CREDENTIALS"]]]);
    expect(step(result, "Create secrets").secretNamesInScript).toContain("STRIPE_WEBHOOK_SECRET");
  });

  it("GIVEN the API gateway rollout fails WHEN the deploy job runs THEN the job fails and nothing after it is deployed", () => {
    expect(failed.conclusion).toBe("failure");
    expect(step(failed, "Wait for API Gateway to be ready")).toMatchObject({ outcome: "failure", exitCode: 1, stderr: `${gatewayTimeout.stderr}\n` });
    const after = failed.steps.slice(failed.steps.findIndex((s) => s.name === "Wait for API Gateway to be ready") + 1);
    expect(after.map((s) => s.name)).toContain("Deploy Ingress");
    expect(after.every((s) => s.outcome === "skipped")).toBe(true);
    expect(callsOf(failed.calls, "kubectl", "apply").map((c) => argValue(c, "-f"))).not.toContain("infra/k8s/portal/");
  });
});

describe("deploy-aks.yml, job build-and-push", () => {
  const workdirs: Workdir[] = [];
  const sentryFails: FailRule = { tool: "sentry-cli", argsInclude: ["releases", "new"] };
  let portal: JobRunResult;
  let portalSentryDown: JobRunResult;
  let documentService: JobRunResult;

  function build(service: { name: string; path: string }, fail: FailRule[] = []): Promise<JobRunResult> {
    const checkout = makeWorkdir({
      VERSION: "1.4.2\n",
      [`${service.path}/Dockerfile`]: "FROM node:20 AS deps\nFROM node:20-slim AS production\n",
    });
    workdirs.push(checkout);
    return runJob({
      workflowText,
      jobId: "build-and-push",
      workdir: checkout.dir,
      context: { github: { sha: SHA, ref: "refs/heads/main", event_name: "push" }, secrets: SECRETS, matrix: { service } },
      fail,
    });
  }

  beforeAll(async () => {
    [portal, portalSentryDown, documentService] = await Promise.all([
      build({ name: "portal", path: "apps/portal" }),
      build({ name: "portal", path: "apps/portal" }, [sentryFails]),
      build({ name: "document-service", path: "services/document-service" }),
    ]);
  });
  afterAll(() => {
    for (const w of workdirs) w.remove();
  });

  it("GIVEN the portal matrix entry WHEN the job runs THEN docker builds with the portal build args and pushes three tags", () => {
    const result = portal;
    expect(result.conclusion).toBe("success");
    const [buildCall, ...more] = callsOf(result.calls, "docker", "build");
    expect(more).toEqual([]);
    expect(buildCall?.args).toEqual([
      "build", "-f", "apps/portal/Dockerfile", "-t", `splitsacr.azurecr.io/portal:${SHA}`, "--target", "production",
      "--build-arg", "NEXT_PUBLIC_API_URL=https://api.splits.network/api",
      "--build-arg", `NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY=${SECRETS.SPLITS_CLERK_PUBLISHABLE_KEY}`,
      "--build-arg", `SENTRY_AUTH_TOKEN=${SECRETS.SENTRY_AUTH_TOKEN}`,
      ".",
    ]);
    expect(callsOf(result.calls, "docker", "push").map((c) => c.args[1])).toEqual([
      `splitsacr.azurecr.io/portal:${SHA}`,
      "splitsacr.azurecr.io/portal:v1.4.2",
      "splitsacr.azurecr.io/portal:latest",
    ]);
    expect(callsOf(result.calls, "az", "acr", "login")[0]?.args).toEqual(["acr", "login", "--name", "splitsacr"]);
    expect(callsOf(result.calls, "pnpm")[0]?.args).toEqual(["install", "--frozen-lockfile"]);
    expect(step(result, "Install pnpm")).toMatchObject({ uses: "pnpm/action-setup@v4", with: { version: "9.14.4" } });
  });

  it("GIVEN the portal entry WHEN the Sentry step runs THEN it tries to curl an installer, which the default shell does not notice", () => {
    const sentry = step(portal, "Create Sentry release");
    expect(callsOf(portal.calls, "curl")).toMatchObject([{ args: ["-sL", "https://sentry.io/get-cli/"], exitCode: 7, step: "Create Sentry release" }]);
    // `curl … | bash` without pipefail: the runner's default `bash -e` only sees bash's exit status.
    expect(sentry.outcome).toBe("success");
    expect(callsOf(portal.calls, "sentry-cli", "releases").map((c) => c.args.slice(0, 3))).toEqual([
      ["releases", "new", "portal@v1.4.2"],
      ["releases", "set-commits", "portal@v1.4.2"],
      ["releases", "deploys", "portal@v1.4.2"],
    ]);
    expect(sentry.secretNamesVisible).toEqual(["SENTRY_AUTH_TOKEN"]);
    expect(step(portal, "Build and push image").secretNamesVisible).toEqual([]);
  });

  it("GIVEN sentry-cli fails WHEN the Sentry step runs THEN continue-on-error keeps the job successful", () => {
    expect(step(portalSentryDown, "Create Sentry release")).toMatchObject({ outcome: "failure", conclusion: "success" });
    expect(portalSentryDown.conclusion).toBe("success");
  });

  it("GIVEN a service outside the Sentry list WHEN the job runs THEN it builds without build args and skips Sentry", () => {
    expect(documentService.conclusion).toBe("success");
    expect(callsOf(documentService.calls, "docker", "build")[0]?.args).not.toContain("--build-arg");
    expect(step(documentService, "Create Sentry release").outcome).toBe("skipped");
    expect(callsOf(documentService.calls, "curl")).toEqual([]);
  });
});

/**
 * Shared setup for running the generated workflows' jobs in the local harness: the checkout a
 * job's scripts read, fake secret values, and the GitHub context of a push.
 */
import { planEnvironment, type DeployPlan } from "../../generator/plan/plan.ts";
import type { Registry } from "../../generator/config/registry.ts";
import type { JobRunResult, StepResult, ToolCall } from "../harness/run-job.ts";
import type { JobContext } from "../harness/types.ts";

export const SHA = "0123456789abcdef0123456789abcdef01234567";
export const BASE_SHA = "89abcdef0123456789abcdef0123456789abcdef";
export const VERSION = "1.4.2";

/** Every `secrets.NAME` the workflow text mentions, each with a distinct fake value. */
export function fakeSecrets(workflowText: string): Record<string, string> {
  const names = [...new Set([...workflowText.matchAll(/secrets\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!))].sort();
  return Object.fromEntries(names.map((n) => [n, n === "ACR_LOGIN_SERVER" ? "splitsacr.azurecr.io" : `fake-${n.toLowerCase().replace(/_/g, "-")}-value`]));
}

export function pushContext(branch: string, secrets: Record<string, string>, extra: Partial<JobContext> = {}): JobContext {
  return {
    github: { sha: SHA, ref: `refs/heads/${branch}`, ref_name: branch, event_name: "push", run_id: "9001", repository: "splits/network", token: "fake-github-token" },
    secrets,
    ...extra,
  };
}

function deploymentManifest(name: string, image: string): string {
  return ["apiVersion: apps/v1", "kind: Deployment", "metadata:", `  name: ${name}`, "spec:", "  template:", "    spec:", "      containers:", `        - name: ${name}`, `          image: ${image}`, ""].join("\n");
}

/**
 * The files the deploy job reads: the generated runner bundle and data files (from `generated`,
 * the generator's output for the same registry), every unit's manifests, cronjobs, one-time jobs,
 * ingress and the templates' manifests.
 */
export function deployCheckout(plan: DeployPlan, generated: ReadonlyMap<string, string>): Record<string, string> {
  const files: Record<string, string> = { VERSION: `${VERSION}\n` };
  for (const [path, text] of generated) if (path.startsWith(".github/deploy/")) files[path] = text;
  const built = new Set(plan.builds.map((b) => b.name));
  for (const phase of plan.phases)
    for (const unit of phase.units) {
      const image = built.has(unit.service) ? `\${ACR_SERVER}/${unit.service}:\${IMAGE_TAG}` : `${unit.service}:7`;
      files[`${unit.manifestsDir}/deployment.yaml`] = deploymentManifest(unit.deployments[0]!, image);
      // Further Deployments of the folder (a worker beside its API), each in a file of its own.
      for (const d of unit.deployments.slice(1)) files[`${unit.manifestsDir}/${d}.yaml`] = deploymentManifest(d, image);
      for (const cron of unit.cronjobFiles) {
        const name = cron.split("/").pop()!.replace(/\.yaml$/, "");
        files[cron] = ["apiVersion: batch/v1", "kind: CronJob", "metadata:", `  name: ${name}`, "spec:", '  schedule: "0 * * * *"', ""].join("\n");
      }
    }
  for (const job of plan.jobs) files[job.file] = ["apiVersion: batch/v1", "kind: Job", "metadata:", `  name: ${job.name}`, ""].join("\n");
  files[plan.ingressManifest] = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: splits-ingress\n";
  files["infra/k8s/ingress-nginx/deploy.yaml"] = deploymentManifest("ingress-nginx-controller", "registry.k8s.io/ingress-nginx/controller:v1.11.0").replace("metadata:\n", "metadata:\n  namespace: ingress-nginx\n");
  files["infra/k8s/cert-manager/cluster-issuer.yaml"] = "apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata:\n  name: letsencrypt-prod\n";
  files[CERT_MANAGER_LOCAL] = deploymentManifest("cert-manager-webhook", "quay.io/jetstack/cert-manager-webhook:v1.16.2").replace("metadata:\n", "metadata:\n  namespace: cert-manager\n");
  return files;
}

const CERT_MANAGER_URL = "https://github.com/cert-manager/cert-manager/releases/download/${CERT_MANAGER_VERSION}/cert-manager.yaml";
const CERT_MANAGER_LOCAL = "upstream/cert-manager.yaml";

/**
 * The cluster-prerequisites template (user-owned, not generator output) applies cert-manager
 * from its release URL; the harness has no network, so that one URL is pointed at a local copy.
 * Everything else in the workflow text runs as generated.
 */
export function offline(workflowText: string): string {
  const count = workflowText.split(CERT_MANAGER_URL).length - 1;
  if (count !== 1) throw new Error(`expected the cert-manager URL once in the workflow, found ${count}`);
  return workflowText.replace(CERT_MANAGER_URL, CERT_MANAGER_LOCAL);
}

/**
 * The files a build job reads: the service's Dockerfile (with a `production` stage), VERSION, and
 * the generated runner and data files (the Sentry CLI install runs the runner).
 */
export function buildCheckout(plan: DeployPlan, generated: ReadonlyMap<string, string>): Record<string, string> {
  const files: Record<string, string> = { VERSION: `${VERSION}\n` };
  for (const [path, text] of generated) if (path.startsWith(".github/deploy/")) files[path] = text;
  for (const b of plan.builds) files[`${b.path}/Dockerfile`] = "FROM node:20-alpine AS base\nFROM base AS production\n";
  return files;
}

export function planFor(registry: Registry, environment: string): DeployPlan {
  return planEnvironment(registry, environment);
}

export function step(result: JobRunResult, name: string | RegExp): StepResult {
  const found = result.steps.find((s) => (typeof name === "string" ? s.name === name : name.test(s.name)));
  if (!found) throw new Error(`no step ${String(name)} in: ${result.steps.map((s) => s.name).join(" | ")}`);
  return found;
}

/** The values after every occurrence of `flag` in a call's arguments. */
export function argValues(call: ToolCall, flag: string): string[] {
  return call.args.flatMap((arg, i) => (arg === flag && i + 1 < call.args.length ? [call.args[i + 1]!] : []));
}

/** Secret names a step's `env:` and `with:` mention, i.e. the secrets it declares. */
export function declaredSecrets(step: { env?: Record<string, string>; with?: Record<string, unknown> }): string[] {
  const text = JSON.stringify([step.env ?? {}, step.with ?? {}]);
  return [...new Set([...text.matchAll(/secrets\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!))].sort();
}

/**
 * A synthetic registry of any size, shaped like the reference customer's: two off-the-shelf
 * infrastructure services, then backends (some depending on an earlier backend, so the graph has
 * several levels), gateways over the backends, and frontends with per-environment build args and
 * secret build args. Deterministic: the same size always gives the same registry.
 */
import type { Registry, Service } from "../../generator/config/registry.ts";

function pad(i: number): string {
  return String(i).padStart(4, "0");
}

export function syntheticRegistry(services: number, options: { affectedBuilds?: boolean } = {}): Registry {
  if (services < 5) throw new Error("a synthetic registry needs at least 5 services");
  const built = services - 2;
  const frontends = Math.max(1, Math.floor(built / 10));
  const gateways = Math.max(1, Math.floor(built / 20));
  const backends = built - frontends - gateways;
  const list: Service[] = [
    { name: "redis", kind: "infrastructure", image: false },
    { name: "rabbitmq", kind: "infrastructure", image: false },
  ];
  for (let i = 0; i < backends; i++) {
    const name = `backend-${pad(i)}`;
    // Every seventh backend also waits for the one before it: dependency levels, not one flat phase.
    const dependsOn = i % 7 === 6 ? ["redis", "rabbitmq", `backend-${pad(i - 1)}`] : ["redis", "rabbitmq"];
    list.push({
      name,
      kind: "backend",
      path: `services/${name}`,
      dependsOn,
      secrets: i % 3 === 0 ? ["database", "queue"] : ["database"],
      sentry: i % 2 === 0,
      ...(i % 25 === 0 ? { cronjobs: [{ name: `${name}-nightly`, schedule: "0 3 * * *" }] } : {}),
    });
  }
  for (let i = 0; i < gateways; i++) {
    const name = `gateway-${pad(i)}`;
    list.push({ name, kind: "gateway", path: `services/${name}`, dependsOn: [`backend-${pad(i % backends)}`, `backend-${pad((i * 7 + 3) % backends)}`], secrets: ["auth"], sentry: true });
  }
  for (let i = 0; i < frontends; i++) {
    const name = `app-${pad(i)}`;
    list.push({
      name,
      kind: "frontend",
      path: `apps/${name}`,
      dependsOn: [`gateway-${pad(i % gateways)}`],
      sentry: true,
      buildArgs: {
        NEXT_PUBLIC_API_URL: "https://{domains.api}/api",
        NEXT_PUBLIC_RELEASE: "{sha}",
        NEXT_PUBLIC_AUTH_KEY: { secret: i % 2 === 0 ? "AUTH_PUBLISHABLE_KEY" : "AUTH_PUBLISHABLE_KEY_2", public: true },
      },
    });
  }
  return {
    project: {
      namespace: "synthetic",
      containerRegistry: { nameSecret: "ACR_NAME", loginServerSecret: "ACR_LOGIN_SERVER", perEnvironment: true },
      cluster: { resourceGroupSecret: "AKS_RESOURCE_GROUP", nameSecret: "AKS_CLUSTER_NAME" },
      sentry: { organization: "synthetic" },
      ...(options.affectedBuilds === false ? {} : { affectedBuilds: true }),
    },
    environments: {
      production: {
        branch: "main",
        workflowFile: ".github/workflows/deploy-aks.yml",
        workflowName: "Deploy to AKS",
        githubEnvironment: "production",
        imageTags: ["{sha}", "v{version}", "latest"],
        sentryEnvironment: "production",
        domains: { api: "api.example.com" },
        ingressManifest: "ingress.yaml",
        manifestVariables: { IMAGE_TAG: "{sha}", ACR_SERVER: { secret: "ACR_LOGIN_SERVER" } },
      },
      staging: {
        branch: "staging",
        workflowFile: ".github/workflows/deploy-staging.yml",
        workflowName: "Deploy to Staging AKS",
        githubEnvironment: "staging",
        imageTags: ["{sha}", "v{version}-staging", "staging-latest"],
        sentryEnvironment: "staging",
        sentryReleaseSuffix: "-staging",
        domains: { api: "api.staging.example.com" },
        ingressManifest: "staging-ingress.yaml",
        manifestVariables: { IMAGE_TAG: "{sha}", ACR_SERVER: { secret: "ACR_LOGIN_SERVER" } },
      },
    },
    secretGroups: {
      database: { url: "DATABASE_URL", password: "DATABASE_PASSWORD" },
      queue: { url: "QUEUE_URL" },
      auth: { "secret-key": "AUTH_SECRET_KEY" },
    },
    services: list,
  };
}

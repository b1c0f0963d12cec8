// A small registry exercising the options the default one does not: client-secret Azure login,
// no Sentry, one environment, an infrastructure-only dependency chain, per-environment build
// arguments, a cronjob limited to an environment, custom manifests folder and deployment name, a
// build secret and a public value kept in a GitHub secret, and a cluster that uses Entra ID.
import { defineConfig } from "../../../../generator/config/registry.ts";

export default defineConfig({
  project: {
    namespace: "shop",
    containerRegistry: { nameSecret: "REGISTRY_NAME", loginServerSecret: "REGISTRY_SERVER" },
    cluster: { resourceGroupSecret: "RG", nameSecret: "CLUSTER", entraId: true },
    azureLogin: { method: "credentials", credentialsSecret: "AZURE_CREDENTIALS" },
  },
  environments: {
    production: {
      branch: "release",
      workflowFile: ".github/workflows/deploy.yaml",
      workflowName: "Deploy shop",
      githubEnvironment: "prod",
      imageTags: ["{sha}", "v{version}"],
      sentryEnvironment: "production",
      domains: { web: "shop.example.com" },
      ingressManifest: "ingress.yaml",
      manifestVariables: { IMAGE_TAG: "{sha}", REGISTRY: { secret: "REGISTRY_SERVER" }, PUBLIC_HOST: "{domains.web}" },
    },
  },
  secretGroups: { "db-secrets": { "database-url": "DATABASE_URL" } },
  services: [
    { name: "postgres", kind: "infrastructure", image: false, deployment: "postgres-primary", manifests: "data/postgres" },
    {
      name: "orders",
      kind: "backend",
      path: "services/orders",
      dependsOn: ["postgres"],
      secrets: ["db-secrets/database-url"],
      rolloutTimeoutSeconds: 300,
      cronjobs: [{ name: "expire-carts", schedule: "*/5 * * * *", environments: ["production"] }],
    },
    {
      name: "storefront",
      kind: "frontend",
      path: "apps/storefront",
      dependsOn: ["orders"],
      buildArgs: {
        PUBLIC_URL: "https://{domains.web}",
        FEATURE_FLAGS: { byEnvironment: { production: "stable" } },
        PUBLIC_STRIPE_KEY: { secret: "STRIPE_PUBLISHABLE_KEY", public: true },
      },
      // The private package registry's token, for `pnpm install` inside the build only.
      buildSecrets: { NPM_TOKEN: "NPM_READ_TOKEN" },
    },
  ],
});

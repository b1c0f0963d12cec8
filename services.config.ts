/**
 * The service registry: the one place that says what is built and deployed, where and in which
 * order. `pnpm gen:workflows` turns it into `.github/workflows/deploy-aks.yml` (production) and
 * `.github/workflows/deploy-staging.yml` (staging); `pnpm gen:workflows --check` fails a commit
 * whose workflows are not what this file generates.
 */
import { defineConfig } from "./generator/config/registry.ts";

/** Every domain service reads the database and authenticates internal calls. */
const domainSecrets = ["supabase-secrets", "internal-service-secrets"];
/** Domain services talk to each other through RabbitMQ and cache in Redis. */
const messaging = ["redis", "rabbitmq"];

export default defineConfig({
  project: {
    namespace: "splits-network",
    versionFile: "VERSION",
    manifestsRoot: "infra/k8s",
    // Environment secrets: staging and production each log in to their own ACR.
    containerRegistry: { nameSecret: "ACR_NAME", loginServerSecret: "ACR_LOGIN_SERVER", perEnvironment: true },
    cluster: { resourceGroupSecret: "AKS_RESOURCE_GROUP", nameSecret: "AKS_CLUSTER_NAME" },
    azureLogin: {
      method: "oidc",
      clientIdSecret: "AZURE_CLIENT_ID",
      tenantIdSecret: "AZURE_TENANT_ID",
      subscriptionIdSecret: "AZURE_SUBSCRIPTION_ID",
    },
    sentry: { organization: "splitsnetwork", authTokenSecret: "SENTRY_AUTH_TOKEN" },
    affectedBuilds: true,
  },

  environments: {
    production: {
      branch: "main",
      workflowFile: ".github/workflows/deploy-aks.yml",
      workflowName: "Deploy to AKS",
      githubEnvironment: "production",
      imageTags: ["{sha}", "v{version}", "latest"],
      sentryEnvironment: "production",
      domains: {
        portal: "splits.network",
        candidate: "applicant.network",
        corporate: "employment-networks.com",
        api: "api.splits.network",
      },
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
      domains: {
        portal: "staging.splits.network",
        candidate: "staging.applicant.network",
        corporate: "staging.employment-networks.com",
        api: "api.staging.splits.network",
      },
      ingressManifest: "staging-ingress.yaml",
      manifestVariables: { IMAGE_TAG: "{sha}", ACR_SERVER: { secret: "ACR_LOGIN_SERVER" } },
    },
  },

  secretGroups: {
    "supabase-secrets": {
      "supabase-url": "SUPABASE_URL",
      "supabase-anon-key": "SUPABASE_ANON_KEY",
      "supabase-service-role-key": "SUPABASE_SERVICE_ROLE_KEY",
    },
    // Both Clerk instances: the portal's (splits) and the candidate app's (app).
    "clerk-secrets": {
      "splits-clerk-publishable-key": "SPLITS_CLERK_PUBLISHABLE_KEY",
      "splits-clerk-secret-key": "SPLITS_CLERK_SECRET_KEY",
      "splits-clerk-jwks-url": "SPLITS_CLERK_JWKS_URL",
      "splits-clerk-webhook-secret": "SPLITS_CLERK_WEBHOOK_SECRET",
      "app-clerk-publishable-key": "APP_CLERK_PUBLISHABLE_KEY",
      "app-clerk-secret-key": "APP_CLERK_SECRET_KEY",
      "app-clerk-jwks-url": "APP_CLERK_JWKS_URL",
      "app-clerk-webhook-secret": "APP_CLERK_WEBHOOK_SECRET",
    },
    "stripe-secrets": {
      "stripe-secret-key": "STRIPE_SECRET_KEY",
      "stripe-webhook-secret": "STRIPE_WEBHOOK_SECRET",
      "stripe-publishable-key": "STRIPE_PUBLISHABLE_KEY",
    },
    "resend-secrets": { "resend-api-key": "RESEND_API_KEY" },
    "openai-secrets": { "openai-api-key": "OPENAI_API_KEY" },
    "internal-service-secrets": { "internal-service-key": "INTERNAL_SERVICE_KEY" },
  },

  services: [
    // Infrastructure: off-the-shelf images, nothing to build.
    { name: "redis", kind: "infrastructure", image: false, rolloutTimeoutSeconds: 120 },
    { name: "rabbitmq", kind: "infrastructure", image: false, rolloutTimeoutSeconds: 120 },

    // Gateways: the only services the ingress exposes.
    {
      name: "api-gateway",
      kind: "gateway",
      path: "services/api-gateway",
      dependsOn: [
        "identity-service",
        "ats-service",
        "network-service",
        "billing-service",
        "notification-service",
        "automation-service",
        "document-service",
        "ai-service",
        "document-processing-service",
        "analytics-service",
      ],
      secrets: [...domainSecrets, "clerk-secrets"],
      sentry: true,
    },
    {
      name: "chat-gateway",
      kind: "gateway",
      path: "services/chat-gateway",
      dependsOn: ["chat-service", "redis"],
      secrets: ["internal-service-secrets", "clerk-secrets"],
      sentry: true,
    },

    // Backends: the domain services.
    {
      name: "identity-service",
      kind: "backend",
      path: "services/identity-service",
      dependsOn: messaging,
      secrets: [...domainSecrets, "clerk-secrets"],
      sentry: true,
    },
    {
      name: "ats-service",
      kind: "backend",
      path: "services/ats-service",
      dependsOn: messaging,
      secrets: domainSecrets,
      sentry: true,
      cronjobs: [{ name: "complete-expired-guarantees", schedule: "0 2 * * *" }],
      jobs: [{ name: "backfill-application-timeline" }],
    },
    { name: "network-service", kind: "backend", path: "services/network-service", dependsOn: messaging, secrets: domainSecrets, sentry: true },
    {
      name: "billing-service",
      kind: "backend",
      path: "services/billing-service",
      dependsOn: messaging,
      secrets: [...domainSecrets, "stripe-secrets"],
      sentry: true,
      cronjobs: [
        { name: "create-placement-invoices", schedule: "0 */6 * * *" },
        { name: "escrow-releases", schedule: "30 * * * *" },
        { name: "finalize-placement-invoices", schedule: "15 */6 * * *" },
        { name: "payout-schedules", schedule: "0 4 * * *" },
        { name: "process-eligible-payouts", schedule: "0 5 * * *" },
      ],
    },
    {
      name: "notification-service",
      kind: "backend",
      path: "services/notification-service",
      dependsOn: messaging,
      secrets: [...domainSecrets, "resend-secrets"],
      sentry: true,
    },
    {
      name: "automation-service",
      kind: "backend",
      path: "services/automation-service",
      dependsOn: messaging,
      secrets: domainSecrets,
      cronjobs: [
        { name: "proposal-timeout", schedule: "*/15 * * * *" },
        { name: "reputation-recalculation", schedule: "0 3 * * *" },
      ],
    },
    { name: "document-service", kind: "backend", path: "services/document-service", dependsOn: messaging, secrets: domainSecrets },
    {
      name: "ai-service",
      kind: "backend",
      path: "services/ai-service",
      dependsOn: messaging,
      secrets: [...domainSecrets, "openai-secrets"],
      sentry: true,
    },
    {
      name: "document-processing-service",
      kind: "backend",
      path: "services/document-processing-service",
      dependsOn: messaging,
      secrets: [...domainSecrets, "openai-secrets"],
    },
    { name: "analytics-service", kind: "backend", path: "services/analytics-service", dependsOn: messaging, secrets: domainSecrets, sentry: true },
    { name: "chat-service", kind: "backend", path: "services/chat-service", dependsOn: messaging, secrets: domainSecrets, sentry: true },
    { name: "health-monitor", kind: "backend", path: "services/health-monitor", dependsOn: messaging, secrets: ["internal-service-secrets"] },

    // Frontends: Next.js apps; NEXT_PUBLIC_* values are baked in at build time, per environment.
    // They are public by design (the browser gets them), so the publishable keys kept in GitHub
    // secrets are marked `public: true`.
    {
      name: "portal",
      kind: "frontend",
      path: "apps/portal",
      dependsOn: ["api-gateway"],
      sentry: true,
      buildArgs: {
        NEXT_PUBLIC_API_URL: "https://{domains.api}/api",
        NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: { secret: "SPLITS_CLERK_PUBLISHABLE_KEY", public: true },
      },
      // Uploads source maps during `next build`: a BuildKit secret mount, never a build argument.
      buildSecrets: { SENTRY_AUTH_TOKEN: "SENTRY_AUTH_TOKEN" },
    },
    {
      name: "candidate",
      kind: "frontend",
      path: "apps/candidate",
      dependsOn: ["api-gateway"],
      sentry: true,
      buildArgs: {
        NEXT_PUBLIC_API_URL: "https://{domains.api}/api",
        NEXT_PUBLIC_API_GATEWAY_URL: "https://{domains.api}",
        NEXT_PUBLIC_APP_URL: "https://{domains.candidate}",
        NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: { secret: "APP_CLERK_PUBLISHABLE_KEY", public: true },
      },
      buildSecrets: { SENTRY_AUTH_TOKEN: "SENTRY_AUTH_TOKEN" },
    },
    {
      name: "corporate",
      kind: "frontend",
      path: "apps/corporate",
      dependsOn: ["api-gateway"],
      sentry: true,
      buildArgs: { NEXT_PUBLIC_APP_URL: "https://{domains.corporate}" },
    },
  ],
});

/**
 * The service registry's types: what `services.config.ts` may say. The zod schema in
 * `schema.ts` checks the same shape at load time; a compile-time assertion there keeps both in
 * step. The JSDoc here is what users read in their editor, so every field has one.
 */

/** A GitHub secret, by name: `{ secret: "STRIPE_SECRET_KEY" }` reads `secrets.STRIPE_SECRET_KEY`. */
export interface SecretRef {
  /** Name of the GitHub secret (repository or environment secret). */
  secret: string;
}

/**
 * A value that may differ per environment.
 * A plain string may contain placeholders: `{sha}` (the commit), `{environment}`,
 * `{namespace}` and `{domains.<key>}` (that environment's domain, e.g. `https://{domains.api}/api`).
 */
export type Value = string | SecretRef | { byEnvironment: Record<string, string | SecretRef> };

/**
 * A GitHub secret as a build argument: allowed only with `public: true`, for a value that is public
 * by design and merely kept in a secret (a publishable key, which ends up in the browser bundle
 * anyway). Build arguments persist in the image (its history, and its provenance attestation), so
 * a real secret (a token) goes in the service's `buildSecrets` instead.
 */
export interface BuildArgSecretRef {
  /** Name of the GitHub secret. */
  secret: string;
  /** `true`: the value is public and may be stored in the image. Without it the registry is refused. */
  public?: boolean;
}

/** A build argument's value: text with placeholders, a public secret, or one of those per environment. */
export type BuildArgValue = string | BuildArgSecretRef | { byEnvironment: Record<string, string | BuildArgSecretRef> };

/** One of the four deploy kinds. Kinds order the deploy: infrastructure, backend, gateway, frontend. */
export type DeployKind = "infrastructure" | "backend" | "gateway" | "frontend";

/** How the workflows log in to Azure. https://github.com/Azure/login#login-with-openid-connect-oidc-recommended */
export type AzureLogin =
  | {
      /** OpenID Connect federation: no long-lived credential; needs `id-token: write`. Recommended. */
      method: "oidc";
      /** GitHub secret holding the app registration's client id. */
      clientIdSecret: string;
      /** GitHub secret holding the tenant id. */
      tenantIdSecret: string;
      /** GitHub secret holding the subscription id. */
      subscriptionIdSecret: string;
    }
  | {
      /** A service principal's JSON credentials in one secret (the `creds` input). */
      method: "credentials";
      /** GitHub secret holding the JSON credentials. */
      credentialsSecret: string;
    };

/** Settings shared by every environment. */
export interface Project {
  /** Kubernetes namespace every manifest is applied in, e.g. `splits-network`. */
  namespace: string;
  /** File at the repository root holding the semver version used in version tags and Sentry releases. Default `VERSION`. */
  versionFile?: string;
  /** Folder holding one manifests folder per service, plus the ingress manifests. Default `infra/k8s`. */
  manifestsRoot?: string;
  /** Container registry (Azure ACR) coordinates, as GitHub secret names. */
  containerRegistry: {
    /** Secret with the registry's name, for `az acr login --name`. */
    nameSecret: string;
    /** Secret with the registry's login server, e.g. `myacr.azurecr.io`; images are `<server>/<service>:<tag>`. */
    loginServerSecret: string;
    /**
     * `true` when these are GitHub *environment* secrets pointing at a separate registry per
     * environment (a staging ACR and a production ACR). Default `false`: one registry is shared,
     * so two environments must not push the same tag for images built differently (a staging
     * build of `portal:<sha>` would overwrite production's); the registry rules enforce it.
     * https://docs.github.com/en/actions/security-for-github-actions/security-guides/using-secrets-in-github-actions#creating-secrets-for-an-environment
     */
    perEnvironment?: boolean;
  };
  /** Kubernetes cluster (Azure AKS) coordinates, as GitHub secret names. */
  cluster: {
    /** Secret with the cluster's resource group. */
    resourceGroupSecret: string;
    /** Secret with the cluster's name. */
    nameSecret: string;
    /**
     * `true` when the cluster authenticates Kubernetes users with Microsoft Entra ID (AKS-managed
     * Entra integration, often with local accounts disabled): the deploy installs kubelogin and
     * converts the kubeconfig to use the Azure CLI login. Default `false` (the cluster's local
     * user credentials). https://learn.microsoft.com/azure/aks/enable-authentication-microsoft-entra-id
     */
    entraId?: boolean;
  };
  /** Azure login. Default: OIDC with secrets AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_SUBSCRIPTION_ID. */
  azureLogin?: AzureLogin;
  /** Sentry releases; omit to create none. */
  sentry?: {
    /** Sentry organisation slug. */
    organization: string;
    /** GitHub secret holding a Sentry auth token with `project:releases`. Default `SENTRY_AUTH_TOKEN`. */
    authTokenSecret?: string;
  };
  /**
   * Folders `pnpm gen:workflows audit` skips, relative to the repository root: a manifests folder
   * applied by hand or by another pipeline (`infra/k8s/monitoring`), or a source folder with a
   * Dockerfile that these workflows do not build (`services/sandbox`). Default: none. Changing it
   * changes the registry's hash, so run `pnpm gen:workflows` after editing it.
   */
  auditIgnore?: string[];
  /**
   * Action pins: `owner/repo` -> full commit SHA and the version it is. Entries here override the
   * generator's built-in pins (`pnpm gen:workflows --adopt-pins` writes them after a bot bumped one).
   * https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#using-third-party-actions
   */
  actionPins?: Record<string, { sha: string; version: string }>;
  /**
   * Affected-only builds. When `true`, a first job finds the commit of the environment's last
   * successful deploy (as nrwl/nx-set-shas does) and builds only the services whose inputs changed
   * since: the service's folder, the workspace packages it depends on (`workspace:` dependencies,
   * transitively), the root files its Dockerfile copies (lockfile, root package.json), and its
   * build definition in this registry. Every other service's deployed image is re-tagged with the
   * new commit's tags in the registry, without a rebuild. A manual run with the `full-build` input
   * builds everything. Default `false` (every push builds every service).
   * https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/running-variations-of-jobs-in-a-workflow#using-a-matrix-strategy
   */
  affectedBuilds?: boolean;
  /**
   * What a failed deploy undoes (`kubectl rollout undo`, awaited) before it fails: `"changed"`
   * every Deployment this run changed (the default), `"failed"` only the Deployments whose rollout
   * failed, `"none"` nothing. A Deployment the run created has no earlier revision and is left.
   * Each environment also gets a manual rollback workflow (`<workflow>-rollback.yml`).
   */
  rollback?: "changed" | "failed" | "none";
  /**
   * Prune, opt-in: after a successful deploy, delete the objects labelled with this registry and
   * a service (`gen-workflows.dev/registry`, `gen-workflows.dev/service`, on everything the
   * workflow applies) that the deploy no longer applies: a removed service, cronjob or manifest.
   * `pnpm gen:workflows plan` shows the rule. Default `false`.
   */
  prune?: boolean;
  /**
   * Rollouts watched at once; each service is applied as soon as its dependencies are ready, and
   * waits for a free watch when this many are running. Default 16.
   */
  maxParallelRollouts?: number;
}

/** One deploy environment; each generates one workflow file. */
export interface Environment {
  /** Branch whose pushes deploy this environment, e.g. `main`. https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions#onpushbranchestagsbranches-ignoretags-ignore */
  branch: string;
  /** Workflow file written, relative to the repository root, e.g. `.github/workflows/deploy-aks.yml`. */
  workflowFile: string;
  /** The workflow's display name, e.g. `Deploy to AKS`. */
  workflowName: string;
  /** GitHub environment the jobs run in (protection rules, environment secrets). https://docs.github.com/en/actions/managing-workflow-runs-and-deployments/managing-deployments/managing-environments-for-deployment */
  githubEnvironment: string;
  /**
   * Tags pushed for every built image. Placeholders: `{sha}` (the commit) and `{version}` (the
   * VERSION file). The first tag is the one deployed. E.g. `["{sha}", "v{version}-staging", "staging-latest"]`.
   */
  imageTags: string[];
  /** Sentry environment deploys are recorded against, e.g. `production`. */
  sentryEnvironment: string;
  /** Suffix of Sentry release names: `<service>@v<VERSION><suffix>`. Default empty. */
  sentryReleaseSuffix?: string;
  /** This environment's domains by key; build arguments refer to them as `{domains.<key>}`. */
  domains: Record<string, string>;
  /** Ingress manifest under the manifests root, applied after every service, e.g. `ingress.yaml`. */
  ingressManifest: string;
  /**
   * Variables `envsubst` replaces in manifests (and only these, so other `$` text survives),
   * e.g. `{ IMAGE_TAG: "{sha}", ACR_SERVER: { secret: "ACR_LOGIN_SERVER" } }`.
   */
  manifestVariables: Record<string, Value>;
}

/** A Kubernetes CronJob manifest of a service: `<manifests>/cronjobs/<name>.yaml`. */
export interface CronJob {
  /** CronJob name (the file name without `.yaml`, and `metadata.name`). */
  name: string;
  /** Cron schedule, as documentation and for the audit, e.g. `0 *\/6 * * *`. */
  schedule?: string;
  /** Environments it runs in. Default: every environment the service is deployed to. */
  environments?: string[];
}

/** A one-time Kubernetes Job of a service (a backfill): `<manifests>/jobs/<name>.yaml`, re-run after every deploy. */
export interface OneTimeJob {
  /** Job name (the file name without `.yaml`, and `metadata.name`). */
  name: string;
  /** Environments it runs in. Default: every environment the service is deployed to. */
  environments?: string[];
}

/** One service or app of the monorepo. */
export interface Service {
  /** Name: a Kubernetes name (lower case, digits, `-`), also the image and the Sentry project. */
  name: string;
  /**
   * Deploy kind, in the order infrastructure, backend, gateway, frontend: a service may depend only
   * on its own kind or an earlier one, and the plan lists kinds in that order. When it is applied
   * comes from `dependsOn` alone: a frontend that depends on nothing starts with the first wave.
   */
  kind: DeployKind;
  /** Source folder, `services/<name>` or `apps/<name>`; its `Dockerfile` is built. Required when an image is built. */
  path?: string;
  /** Whether an image is built and pushed. Default `true`; `false` for off-the-shelf images (redis, rabbitmq). */
  image?: boolean;
  /** Services that must be rolled out before this one (by name). */
  dependsOn?: string[];
  /** Manifests folder under the manifests root. Default: the name. */
  manifests?: string;
  /**
   * Deployment name when it differs from the service name; a list when the manifests folder holds
   * several (an API and its worker): each one's rollout is awaited, rolled back on failure and
   * checked. Default: the service name.
   */
  deployment?: string | string[];
  /** CronJobs applied with the service. */
  cronjobs?: CronJob[];
  /** One-time jobs re-run after all services are deployed. */
  jobs?: OneTimeJob[];
  /** Create a Sentry release for this service. Default `false`. */
  sentry?: boolean;
  /** Sentry project slug when it differs from the name. */
  sentryProject?: string;
  /**
   * Docker build arguments: public values the image is built with (a URL, a publishable key). They
   * persist in the image, so a `{ secret }` needs `public: true`; placeholders as in `Value`.
   * https://docs.docker.com/build/building/variables/#arg-usage-example
   */
  buildArgs?: Record<string, BuildArgValue>;
  /**
   * BuildKit secrets: secret id -> GitHub secret name, e.g. `{ SENTRY_AUTH_TOKEN: "SENTRY_AUTH_TOKEN" }`.
   * The value reaches only the `RUN` steps that mount it, never a layer, the image's metadata or a
   * command line: `RUN --mount=type=secret,id=SENTRY_AUTH_TOKEN,env=SENTRY_AUTH_TOKEN pnpm build`.
   * Default: none. https://docs.docker.com/build/building/secrets/
   */
  buildSecrets?: Record<string, string>;
  /** Secret groups (or `group/key` for one key) the service's manifests read. */
  secrets?: string[];
  /** `kubectl rollout status --timeout`, in seconds. Default 180. */
  rolloutTimeoutSeconds?: number;
  /** Environments the service is deployed to. Default: all. */
  environments?: string[];
}

/** The whole registry. */
export interface Registry {
  /** Settings shared by every environment. */
  project: Project;
  /** Deploy environments by name, e.g. `production` and `staging`. */
  environments: Record<string, Environment>;
  /** Kubernetes secret name -> key -> GitHub secret name. Created in every environment that deploys a service using it. */
  secretGroups: Record<string, Record<string, string>>;
  /** Services and apps. Their order is the build matrix order. */
  services: Service[];
}

/** Identity function that gives `services.config.ts` its types and editor completion. */
export function defineConfig(registry: Registry): Registry {
  return registry;
}

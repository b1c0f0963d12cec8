/**
 * Registry -> one DeployPlan per environment: what that environment's workflow builds, creates
 * and deploys, in which order. Pure data; `render.ts` turns it into a workflow.
 *
 * Order: the build matrix keeps the registry's declared order (so a diff of the registry reads
 * like a diff of the matrix); phases are dependency levels, and inside a phase services keep
 * kind order then declared order; secret groups, keys and variables are sorted by name.
 */
import { KIND_ORDER } from "../config/kinds.ts";
import { substitute } from "../config/placeholders.ts";
import type { AzureLogin, DeployKind, Environment, Registry, Service, Value } from "../config/registry.ts";
import { byCodeUnit } from "../sort-order.ts";

export const DEFAULT_ROLLOUT_TIMEOUT_SECONDS = 180;

/** The files `kubectl apply -f <dir>/` reads from a folder (not its subfolders). */
export const MANIFEST_GLOBS = ["*.yaml", "*.yml", "*.json"] as const;

/** Whether a manifest file is matched by one of the plan's `manifestFiles` entries. */
export function manifestEntryMatches(entry: string, path: string): boolean {
  if (entry === path) return true;
  const slash = entry.lastIndexOf("/");
  const glob = entry.slice(slash + 1);
  return (MANIFEST_GLOBS as readonly string[]).includes(glob) && path.endsWith(glob.slice(1)) && path.slice(0, path.lastIndexOf("/")) === entry.slice(0, slash);
}

/** A value as a workflow sees it: literal text (possibly holding `${{ github.sha }}`) or a secret. */
export type ResolvedValue = { text: string } | { secret: string };

export interface BuildEntry {
  name: string;
  path: string;
  /** Non-secret build arguments, resolved for this environment. */
  buildArgs: { name: string; text: string }[];
  /** Build arguments read from a GitHub secret marked public: never in the matrix, read by docker from the step's environment. */
  secretBuildArgs: { name: string; secret: string }[];
  /** BuildKit secrets (`buildSecrets`), sorted by id: they reach only `RUN --mount=type=secret` steps. */
  buildSecrets: { id: string; secret: string }[];
  sentryProject?: string;
}

export interface DeployUnit {
  service: string;
  kind: DeployKind;
  /** Manifests folder, relative to the repository root. */
  manifestsDir: string;
  /** Every Deployment the folder holds that the deploy awaits; at least one. */
  deployments: string[];
  timeoutSeconds: number;
  cronjobFiles: string[];
  dependsOn: string[];
}

export interface DeployPhase {
  /** 1-based. */
  number: number;
  kinds: DeployKind[];
  units: DeployUnit[];
}

export interface SecretGroupPlan {
  name: string;
  keys: { key: string; secret: string }[];
}

export interface OneTimeJobPlan {
  service: string;
  name: string;
  file: string;
}

export interface DeployPlan {
  environment: string;
  workflowFile: string;
  workflowName: string;
  branch: string;
  githubEnvironment: string;
  namespace: string;
  versionFile: string;
  containerRegistry: Registry["project"]["containerRegistry"];
  cluster: Registry["project"]["cluster"];
  azureLogin: AzureLogin;
  sentry?: { organization: string; authTokenSecret: string; environment: string; releaseSuffix: string };
  imageTags: string[];
  builds: BuildEntry[];
  phases: DeployPhase[];
  secretGroups: SecretGroupPlan[];
  manifestVariables: { name: string; value: ResolvedValue }[];
  /** Files and folder globs `envsubst` renders before anything is applied. */
  manifestFiles: string[];
  ingressManifest: string;
  jobs: OneTimeJobPlan[];
  /** Build only changed services and re-tag the others (`project.affectedBuilds`). */
  affectedBuilds: boolean;
  /** What a failed deploy undoes (`project.rollback`). */
  rollback: "changed" | "failed" | "none";
  /** Delete labelled objects the registry no longer produces (`project.prune`). */
  prune: boolean;
  /** Rollouts watched at once (`project.maxParallelRollouts`). */
  maxParallelRollouts: number;
  manifestsRoot: string;
}

export const DEFAULT_MAX_PARALLEL_ROLLOUTS = 16;

export const DEFAULT_AZURE_LOGIN: AzureLogin = {
  method: "oidc",
  clientIdSecret: "AZURE_CLIENT_ID",
  tenantIdSecret: "AZURE_TENANT_ID",
  subscriptionIdSecret: "AZURE_SUBSCRIPTION_ID",
};

export function planAll(registry: Registry): DeployPlan[] {
  return Object.keys(registry.environments)
    .sort()
    .map((name) => planEnvironment(registry, name));
}

export function planEnvironment(registry: Registry, envName: string): DeployPlan {
  const env = registry.environments[envName];
  if (!env) throw new Error(`bug: no environment "${envName}"`);
  const { project } = registry;
  const root = project.manifestsRoot ?? "infra/k8s";
  const deployed = registry.services.filter((s) => isIn(s.environments, envName));
  const resolve = (v: Value): ResolvedValue => resolveValue(v, envName, env, project.namespace);

  const builds: BuildEntry[] = deployed
    .filter((s) => s.image !== false)
    .map((s) => {
      const args = Object.entries(s.buildArgs ?? {})
        .map(([name, v]) => ({ name, value: resolve(v) }))
        .sort((a, b) => byCodeUnit(a.name, b.name));
      return {
        name: s.name,
        path: s.path ?? s.name,
        buildArgs: args.flatMap((a) => ("text" in a.value ? [{ name: a.name, text: a.value.text }] : [])),
        secretBuildArgs: args.flatMap((a) => ("secret" in a.value ? [{ name: a.name, secret: a.value.secret }] : [])),
        buildSecrets: Object.entries(s.buildSecrets ?? {})
          .map(([id, secret]) => ({ id, secret }))
          .sort((a, b) => byCodeUnit(a.id, b.id)),
        ...(s.sentry ? { sentryProject: s.sentryProject ?? s.name } : {}),
      };
    });

  const units = deployed.map((s): DeployUnit => {
    const dir = `${root}/${s.manifests ?? s.name}`;
    return {
      service: s.name,
      kind: s.kind,
      manifestsDir: dir,
      deployments: deploymentsOf(s),
      timeoutSeconds: s.rolloutTimeoutSeconds ?? DEFAULT_ROLLOUT_TIMEOUT_SECONDS,
      cronjobFiles: (s.cronjobs ?? []).filter((c) => isIn(c.environments ?? s.environments, envName)).map((c) => `${dir}/cronjobs/${c.name}.yaml`),
      dependsOn: s.dependsOn ?? [],
    };
  });

  const jobs = deployed.flatMap((s) =>
    (s.jobs ?? [])
      .filter((j) => isIn(j.environments ?? s.environments, envName))
      .map((j) => ({ service: s.name, name: j.name, file: `${root}/${s.manifests ?? s.name}/jobs/${j.name}.yaml` })),
  );

  return {
    environment: envName,
    workflowFile: env.workflowFile,
    workflowName: env.workflowName,
    branch: env.branch,
    githubEnvironment: env.githubEnvironment,
    namespace: project.namespace,
    versionFile: project.versionFile ?? "VERSION",
    containerRegistry: project.containerRegistry,
    cluster: project.cluster,
    azureLogin: project.azureLogin ?? DEFAULT_AZURE_LOGIN,
    ...(project.sentry
      ? {
          sentry: {
            organization: project.sentry.organization,
            authTokenSecret: project.sentry.authTokenSecret ?? "SENTRY_AUTH_TOKEN",
            environment: env.sentryEnvironment,
            releaseSuffix: env.sentryReleaseSuffix ?? "",
          },
        }
      : {}),
    imageTags: env.imageTags,
    builds,
    phases: phasesOf(units),
    secretGroups: secretGroupsFor(registry, deployed),
    manifestVariables: Object.entries(env.manifestVariables)
      .map(([name, v]) => ({ name, value: resolve(v) }))
      .sort((a, b) => byCodeUnit(a.name, b.name)),
    manifestFiles: [...units.flatMap((u) => [...MANIFEST_GLOBS.map((g) => `${u.manifestsDir}/${g}`), ...u.cronjobFiles]), ...jobs.map((j) => j.file)],
    ingressManifest: `${root}/${env.ingressManifest}`,
    jobs,
    affectedBuilds: project.affectedBuilds ?? false,
    rollback: project.rollback ?? "changed",
    prune: project.prune ?? false,
    maxParallelRollouts: project.maxParallelRollouts ?? DEFAULT_MAX_PARALLEL_ROLLOUTS,
    manifestsRoot: root,
  };
}

function isIn(environments: readonly string[] | undefined, envName: string): boolean {
  return environments === undefined || environments.includes(envName);
}

/**
 * Phases are the levels of the dependency graph: a service deploys one phase after the latest
 * of its dependencies, so everything that can roll out together does.
 */
function phasesOf(units: DeployUnit[]): DeployPhase[] {
  const byName = new Map(units.map((u) => [u.service, u]));
  const level = new Map<string, number>();
  const levelOf = (u: DeployUnit): number => {
    const known = level.get(u.service);
    if (known !== undefined) return known;
    level.set(u.service, 0); // cycles are rejected by the rules; this only guards recursion
    const deps = u.dependsOn.map((d) => byName.get(d)).filter((d): d is DeployUnit => d !== undefined);
    const l = deps.length ? 1 + Math.max(...deps.map(levelOf)) : 0;
    level.set(u.service, l);
    return l;
  };
  const phases: DeployUnit[][] = [];
  for (const u of units) (phases[levelOf(u)] ??= []).push(u);
  return phases
    .filter((p) => p.length > 0)
    .map((p, i) => {
      const sorted = p
        .map((u, declared) => ({ u, declared }))
        .sort((a, b) => KIND_ORDER.indexOf(a.u.kind) - KIND_ORDER.indexOf(b.u.kind) || a.declared - b.declared)
        .map((x) => x.u);
      return { number: i + 1, kinds: KIND_ORDER.filter((k) => sorted.some((u) => u.kind === k)), units: sorted };
    });
}

function secretGroupsFor(registry: Registry, deployed: Service[]): SecretGroupPlan[] {
  const used = new Set(deployed.flatMap((s) => (s.secrets ?? []).map((ref) => ref.split("/")[0]!)));
  return [...used]
    .filter((g) => Object.hasOwn(registry.secretGroups, g))
    .sort()
    .map((name) => ({
      name,
      keys: Object.entries(registry.secretGroups[name]!)
        .map(([key, secret]) => ({ key, secret }))
        .sort((a, b) => byCodeUnit(a.key, b.key)),
    }));
}

/** Resolves placeholders for one environment. `{sha}` becomes an expression, never pasted text. */
export function resolveValue(v: Value, envName: string, env: Environment, namespace: string): ResolvedValue {
  if (typeof v !== "string" && "byEnvironment" in v) {
    const inner = Object.hasOwn(v.byEnvironment, envName) ? v.byEnvironment[envName] : undefined;
    if (inner === undefined) throw new Error(`bug: byEnvironment has no ${envName} (rules should have caught it)`);
    return resolveValue(inner, envName, env, namespace);
  }
  if (typeof v !== "string") return { secret: v.secret };
  return {
    text: substitute(v, (name) => {
      if (name === "sha") return "${{ github.sha }}";
      if (name === "environment") return envName;
      if (name === "namespace") return namespace;
      if (name.startsWith("domains.")) {
        const key = name.slice("domains.".length);
        const domain = Object.hasOwn(env.domains, key) ? env.domains[key] : undefined;
        if (domain !== undefined) return domain;
      }
      throw new Error(`bug: unresolved placeholder {${name}} (rules should have caught it)`);
    }),
  };
}

/** The Deployments a service's folder holds, as the registry names them (default: the service's name). */
export function deploymentsOf(s: { name: string; deployment?: string | readonly string[] }): string[] {
  if (s.deployment === undefined) return [s.name];
  return typeof s.deployment === "string" ? [s.deployment] : [...s.deployment];
}

/**
 * The per-environment data file the runner reads (`.github/deploy/<workflow>.jsonc`): what the
 * generator knows about the environment that the runner-side commands need (services, their
 * dependencies, manifests, secret groups, build definitions). Written by the generator, read by
 * the runner and by the check's workflow facts, so the type lives here, shared by both.
 */

export type RollbackMode = "changed" | "failed" | "none";

/** One Deployment (with its manifests folder and cronjobs) in the dependency graph. */
export interface DeployUnitData {
  service: string;
  /** Manifests folder, relative to the repository root, without a trailing slash. */
  manifestsDir: string;
  /** Every Deployment in the folder the deploy awaits (at least one). */
  deployments: string[];
  timeoutSeconds: number;
  cronjobFiles: string[];
  dependsOn: string[];
  /** Whether the workflow builds this service's image (`<registry>/<service>:<tag>`). */
  image: boolean;
}

export interface BuildData {
  /** `<name>@<hash>` of the build definition; see render/affected.ts buildDefinition. */
  definition: string;
  /** 1-based build shard (job `build` or `build-<n>`). */
  shard: number;
  /** The matrix entry the build job receives. */
  entry: Record<string, string | boolean>;
}

export interface DeployData {
  environment: string;
  workflowFile: string;
  /** This file's own path: the change detection reads the last deploy's copy of it. */
  dataFile: string;
  branch: string;
  versionFile: string;
  namespace: string;
  /** Value of the `gen-workflows.dev/registry` label on every applied object. */
  registryLabel: string;
  /** The deployed image tag, with `{sha}` and `{version}` placeholders. */
  imageTag: string;
  /** Manifest variables envsubst replaces (values come from the step environment). */
  manifestVariables: string[];
  /** Of those, the ones holding the deployed image tag: an unchanged service keeps the tag it runs. */
  imageTagVariables: string[];
  maxParallelRollouts: number;
  rollback: RollbackMode;
  prune: boolean;
  shards: number;
  builds: BuildData[];
  /** In declared order; the scheduler starts ready units in this order. */
  units: DeployUnitData[];
  jobs: { service: string; name: string; file: string }[];
  /** Applied by the prerequisites job, once the ingress controller and cert-manager are ready. */
  ingressManifest: string;
  secretGroups: { name: string; keys: { key: string; env: string }[] }[];
  sentry?: {
    environment: string;
    releaseSuffix: string;
    projects: { service: string; project: string }[];
    /** The pinned CLI package `install-sentry-cli` installs (`@sentry/cli@<version>`). */
    cliPackage: string;
  };
}

export const LABEL_REGISTRY = "gen-workflows.dev/registry";
export const LABEL_SERVICE = "gen-workflows.dev/service";

/** Reads a data file's text: `//` comment lines (the banner), then one JSON document. */
/**
 * A unit's Deployments, as a data file of any generation says them: a committed file may predate
 * the list (`deployment`, one name) or be hand-edited into anything.
 */
export function unitDeployments(unit: unknown): string[] {
  const u = unit as { deployments?: unknown; deployment?: unknown } | null | undefined;
  if (Array.isArray(u?.deployments)) return u.deployments.filter((d): d is string => typeof d === "string");
  return typeof u?.deployment === "string" ? [u.deployment] : [];
}

export function parseDeployData(text: string): DeployData {
  const json = text
    .split("\n")
    .filter((line) => !line.startsWith("//"))
    .join("\n");
  return JSON.parse(json) as DeployData;
}

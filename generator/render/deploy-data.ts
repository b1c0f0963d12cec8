/**
 * DeployPlan -> the environment's data file (`.github/deploy/<workflow>.jsonc`) that the runner
 * bundle reads: services, dependencies, manifests, secret groups and build definitions. Data, not
 * unrolled script lines: adding a service adds one line here per list it is in.
 */
import type { DeployData } from "../runner/data.ts";
import { buildDefinition, buildRecipe, renderedBuildStep } from "./affected.ts";
import { matrixEntry } from "./build-job.ts";
import type { DeployPlan } from "../plan/plan.ts";
import { type PinTable, SENTRY_CLI_PACKAGE } from "./pins.ts";
import { shardsOf } from "../plan/shards.ts";
import { dataFileOf } from "./support-paths.ts";


/** A label value naming the registry: its file name, as Kubernetes label values allow. */
export function registryLabel(configFile: string): string {
  const value = configFile.replace(/[^A-Za-z0-9._-]/g, "-").replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "").slice(-63);
  return value.replace(/^[^A-Za-z0-9]+/, "") || "registry";
}

export function deployData(plan: DeployPlan, pins: PinTable, configFile: string): DeployData {
  const recipe = buildRecipe(plan, renderedBuildStep(plan, pins));
  const built = new Set(plan.builds.map((b) => b.name));
  const deployedTag = plan.imageTags[0]!.replaceAll("{sha}", "${{ github.sha }}");
  return {
    environment: plan.environment,
    workflowFile: plan.workflowFile,
    dataFile: dataFileOf(plan),
    branch: plan.branch,
    versionFile: plan.versionFile,
    namespace: plan.namespace,
    registryLabel: registryLabel(configFile),
    imageTag: plan.imageTags[0]!,
    manifestVariables: plan.manifestVariables.map((v) => v.name),
    imageTagVariables: plan.manifestVariables.filter((v) => "text" in v.value && v.value.text === deployedTag).map((v) => v.name),
    maxParallelRollouts: plan.maxParallelRollouts,
    rollback: plan.rollback,
    prune: plan.prune,
    shards: shardsOf(plan.builds).length,
    builds: shardsOf(plan.builds).flatMap((shard) => shard.items.map((b) => ({ definition: buildDefinition(b, recipe), shard: shard.index, entry: matrixEntry(b) }))),
    units: plan.phases
      .flatMap((p) => p.units)
      .map((u) => ({ service: u.service, manifestsDir: u.manifestsDir, deployments: u.deployments, timeoutSeconds: u.timeoutSeconds, cronjobFiles: u.cronjobFiles, dependsOn: u.dependsOn, image: built.has(u.service) })),
    jobs: plan.jobs,
    ingressManifest: plan.ingressManifest,
    secretGroups: plan.secretGroups.map((g) => ({ name: g.name, keys: g.keys.map((k) => ({ key: k.key, env: k.secret })) })),
    ...(plan.sentry
      ? { sentry: { environment: plan.sentry.environment, releaseSuffix: plan.sentry.releaseSuffix, projects: plan.builds.flatMap((b) => (b.sentryProject ? [{ service: b.name, project: b.sentryProject }] : [])), cliPackage: SENTRY_CLI_PACKAGE } }
      : {}),
  };
}

/** JSON with one list element per line, so a registry diff reads as a data diff. */
export function deployDataText(data: DeployData): string {
  const lines = ["{"];
  const entries = Object.entries(data);
  for (const [i, [key, value]] of entries.entries()) {
    const comma = i < entries.length - 1 ? "," : "";
    if (Array.isArray(value) && value.length > 0 && typeof value[0] === "object") {
      lines.push(`  ${JSON.stringify(key)}: [`);
      value.forEach((v, j) => lines.push(`    ${JSON.stringify(v)}${j < value.length - 1 ? "," : ""}`));
      lines.push(`  ]${comma}`);
    } else lines.push(`  ${JSON.stringify(key)}: ${JSON.stringify(value)}${comma}`);
  }
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

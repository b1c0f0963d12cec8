/**
 * Affected-only builds (`project.affectedBuilds`): the `changes` job that decides which services
 * to build, and the `retag` job that gives every unchanged service's deployed image the new
 * commit's tags, registry-side, so the deploy finds every tag it references.
 */
import { jobPermissions, registryLoginSteps } from "./azure.ts";
import { sha16 } from "./emit.ts";
import type { BuildEntry, DeployPlan } from "../plan/plan.ts";
import type { PinTable } from "./pins.ts";
import { BUILD_AND_PUSH_STEP_NAME, BUILD_JOB_ID, matrixEntry, perServiceBuildEnvNames, readVersionLine, renderBuildJob, tagShell } from "./build-job.ts";
import { parallelFinishLines, parallelPoolLines, script } from "./shell.ts";
import { shardsOf } from "../plan/shards.ts";
import { runnerCommand } from "./support-paths.ts";
import { type Job, type Step, checkoutStep, secretExpr } from "./workflow.ts";

export const CHANGES_JOB_ID = "changes";
export const RETAG_JOB_ID = "retag";
export const FULL_BUILD_INPUT = "full-build";

/** The `workflow_dispatch` input that forces every service to build. */
export const fullBuildInput = {
  [FULL_BUILD_INPUT]: { description: "Build every service, even those whose inputs did not change", type: "boolean", default: false },
};

/** The step of the build job that builds and pushes the image (build-job.ts). */
export const BUILD_STEP_NAME = BUILD_AND_PUSH_STEP_NAME;

/** The build job's build-push-action step as rendered for this plan (all services in one matrix). */
export function renderedBuildStep(plan: DeployPlan, pins: PinTable): Step {
  const job = renderBuildJob(plan, pins, { index: 1, jobId: BUILD_JOB_ID, items: plan.builds });
  const step = job.steps.find((s) => s.name === BUILD_STEP_NAME);
  if (step?.uses === undefined) throw new Error(`bug: the build job has no "${BUILD_STEP_NAME}" action step`);
  return step;
}

/**
 * Hash of how every image of the plan is built: the build step's action and inputs (target, tags,
 * cache, flags), its environment (the secret build arguments' entries excepted: they are per service, and
 * each service's own are in its definition) and the environment's image tags and VERSION file.
 * Any generator or registry change that alters how images are built changes it, and so the
 * definition of every service.
 */
export function buildRecipe(plan: DeployPlan, step: Step): string {
  const perService = perServiceBuildEnvNames(plan);
  const env = Object.entries(step.env ?? {})
    .filter(([key]) => !perService.has(key))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  // The whole step (script or action and its inputs), so a change of how images are built counts.
  return sha16(JSON.stringify({ run: step.run ?? "", uses: step.uses ?? "", with: step.with ?? {}, env, tags: plan.imageTags, versionFile: plan.versionFile }));
}

/**
 * `<name>@<hash>` of everything that shapes a service's image besides its files: its matrix entry
 * (path, build arguments, Sentry project), its secret build arguments (names and the secrets
 * they read) and the build recipe (see buildRecipe). The change detection looks for this token
 * in the workflow of the last deploy: when it is not there, the image is rebuilt even if no file
 * changed. A rotated secret value changes no token: dispatch the workflow with `full-build` for that.
 */
export function buildDefinition(build: BuildEntry, recipe: string): string {
  const hash = sha16(JSON.stringify({ entry: matrixEntry(build), secrets: build.secretBuildArgs, buildSecrets: build.buildSecrets, recipe }));
  return `${build.name}@${hash}`;
}

/** The output holding shard `index`'s matrix (a JSON array of entries, `[]` when nothing to build). */
export function buildOutput(index: number): string {
  return `build-${index}`;
}

/** Runs the change detection (runner/changes.ts) against the environment's data file. */
export function renderChangesJob(plan: DeployPlan, pins: PinTable): Job {
  const shards = shardsOf(plan.builds);
  const outputs: Record<string, string> = {
    base: "${{ steps.affected.outputs.base }}",
    "base-version": "${{ steps.affected.outputs.base-version }}",
    retag: "${{ steps.affected.outputs.retag }}",
  };
  for (const s of shards) outputs[buildOutput(s.index)] = `\${{ steps.affected.outputs.${buildOutput(s.index)} }}`;
  return {
    name: "Find the services to build",
    "runs-on": "ubuntu-latest",
    // Reading workflow runs (the last successful deploy) needs `actions: read`; nothing is written.
    permissions: { actions: "read", contents: "read" },
    "timeout-minutes": 10,
    outputs,
    steps: [
      checkoutStep(pins, { fetchDepth: 0 }),
      {
        name: "Compare with the last successful deploy",
        id: "affected",
        env: { GH_TOKEN: "${{ github.token }}", FULL_BUILD: `\${{ inputs.${FULL_BUILD_INPUT} }}` },
        run: script([runnerCommand("changes", plan)]),
      },
    ],
  };
}

/**
 * Gives each unchanged service's last deployed image every tag of this commit. `imagetools
 * create` copies the manifest inside the registry: nothing is pulled or rebuilt. At most eight
 * copies run at once; every failed service is named.
 */
export function renderRetagJob(plan: DeployPlan, pins: PinTable): Job {
  const [first, ...rest] = plan.imageTags;
  const source = first!.replace(/\{sha\}/g, "${BASE_SHA}").replace(/\{version\}/g, "${BASE_VERSION}");
  // One tag per line: a reviewer sees each tag, and no line runs long.
  const tags = [first!, ...rest].map((t) => `    --tag "\${image}:${tagShell(t)}" \\`);
  return {
    name: "Re-tag unchanged images",
    needs: [CHANGES_JOB_ID],
    if: `needs.${CHANGES_JOB_ID}.outputs.retag != ''`,
    "runs-on": "ubuntu-latest",
    environment: plan.githubEnvironment,
    permissions: jobPermissions(plan.azureLogin),
    "timeout-minutes": 30,
    steps: [
      ...registryLoginSteps(plan, pins),
      {
        name: "Re-tag the deployed images of unchanged services",
        env: {
          ACR_SERVER: secretExpr(plan.containerRegistry.loginServerSecret),
          RETAG: `\${{ needs.${CHANGES_JOB_ID}.outputs.retag }}`,
          BASE_SHA: `\${{ needs.${CHANGES_JOB_ID}.outputs.base }}`,
          BASE_VERSION: `\${{ needs.${CHANGES_JOB_ID}.outputs.base-version }}`,
        },
        run: script([
          readVersionLine(plan.versionFile),
          "retag() {",
          '  local image="${ACR_SERVER}/$1"',
          "  docker buildx imagetools create \\",
          ...tags,
          `    "\${image}:${source}"`,
          "}",
          ...parallelPoolLines(8),
          'for service in $RETAG; do start "$service" retag "$service"; done',
          ...parallelFinishLines("re-tag failed"),
        ]),
      },
    ],
  };
}

/**
 * The deploy's condition when builds may be skipped: a build shard with nothing to build, or a
 * retag with nothing to re-tag, is `skipped`, which must not stop the deploy; a failed or cancelled
 * job must. At job level `failure()` is true when any job it needs (or their needs) failed.
 */
export const DEPLOY_AFTER_AFFECTED_IF = "!failure() && !cancelled()";

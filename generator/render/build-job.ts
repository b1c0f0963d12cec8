/**
 * The build job: one matrix entry per built service; each builds its Dockerfile (target
 * `production`) with BuildKit, pushes every tag of the environment in one step, keeps a layer
 * cache next to the image, and creates its Sentry release.
 */
import { jobPermissions, registryLoginSteps } from "./azure.ts";
import type { BuildEntry, DeployPlan } from "../plan/plan.ts";
import type { PinTable } from "./pins.ts";
import { runnerCommand } from "./support-paths.ts";
import { script, shq } from "./shell.ts";
import type { BuildShard } from "../plan/shards.ts";
import { type Job, type Step, secretExpr, usesPinned } from "./workflow.ts";

/** Job id of the build when one matrix holds every service; see shards.ts for more. */
export const BUILD_JOB_ID = "build";

/** Build-argument text of the commit: the build script replaces it with `$GITHUB_SHA`. */
const SHA_IN_BUILD_ARG = "{sha}";

/** Step id of the step that resolves the version and the build arguments for build-push-action. */
const BUILD_INPUTS_STEP_ID = "build-inputs";

/** Environment variable a build secret travels in, from the step env to BuildKit (`secret-envs`). */
export function buildSecretEnvName(id: string): string {
  return `BUILD_SECRET_${id}`;
}

/**
 * A matrix entry. Only non-secret data (the secrets context is not available to `strategy`), and
 * no expressions: with affected builds the entries travel as JSON through a job output, where
 * nothing would evaluate them, so the commit is written `{sha}` and the build script fills it in.
 * `secret-envs` holds only secret ids and variable names, never a value.
 */
export function matrixEntry(b: BuildEntry): Record<string, string | boolean> {
  return {
    name: b.name,
    path: b.path,
    "build-args": b.buildArgs.map((a) => `${a.name}=${a.text.replaceAll("${{ github.sha }}", SHA_IN_BUILD_ARG)}`).join("\n"),
    "secret-build-args": b.secretBuildArgs.map((a) => a.name).join(" "),
    sentry: b.sentryProject !== undefined,
    "sentry-project": b.sentryProject ?? "",
    "secret-envs": b.buildSecrets.map((s) => `${s.id}=${buildSecretEnvName(s.id)}`).join("\n"),
  };
}

/** Shell text of an image tag: `{sha}` and `{version}` become variables, the rest is literal. */
export function tagShell(tag: string): string {
  return tag.replace(/\{sha\}/g, "${GITHUB_SHA}").replace(/\{version\}/g, "${VERSION}");
}

/** Expression text of an image tag, for an action input: the version comes from the build-inputs step. */
function tagExpression(tag: string): string {
  return tag.replace(/\{sha\}/g, "${{ github.sha }}").replace(/\{version\}/g, `\${{ steps.${BUILD_INPUTS_STEP_ID}.outputs.version }}`);
}

export function readVersionLine(versionFile: string): string {
  return `VERSION="$(tr -d '[:space:]' < ${shq(versionFile)})"`;
}

/**
 * Values that come from GitHub secrets reach the build through the step environment, each only
 * in the matrix jobs of the services that declare it: other services' jobs see an empty value.
 * Keys are the variable names; the values are the per-service expressions.
 */
function perServiceSecretEnv(builds: BuildEntry[]): Record<string, string> {
  const byVariable = new Map<string, { service: string; secret: string }[]>();
  const add = (variable: string, service: string, secret: string): void => {
    byVariable.set(variable, [...(byVariable.get(variable) ?? []), { service, secret }]);
  };
  for (const b of builds) {
    for (const a of b.secretBuildArgs) add(a.name, b.name, a.secret);
    for (const s of b.buildSecrets) add(buildSecretEnvName(s.id), b.name, s.secret);
  }
  const env: Record<string, string> = {};
  for (const name of [...byVariable.keys()].sort()) {
    const arms = byVariable.get(name)!.map((u) => `matrix.service.name == '${u.service}' && secrets.${u.secret}`);
    // One service per line once there are several, so the line stays short however many use it.
    env[name] = arms.length === 1 ? `\${{ ${arms[0]} || '' }}` : `\${{ ${arms.join("\n  || ")}\n  || '' }}`;
  }
  return env;
}

/** The variables of the build step's environment that differ per service (see perServiceSecretEnv). */
export function perServiceBuildEnvNames(plan: DeployPlan): Set<string> {
  return new Set(Object.keys(perServiceSecretEnv(plan.builds)));
}

/**
 * The version (checked: it becomes an image tag) and the build arguments as build-push-action
 * reads them: `NAME=value` lines with the commit filled in, then the bare names of the public
 * secret arguments, whose values buildx reads from the build step's environment.
 */
function buildInputsStep(plan: DeployPlan): Step {
  return {
    name: "Resolve the version and build arguments",
    id: BUILD_INPUTS_STEP_ID,
    env: { BUILD_ARGS: "${{ matrix.service.build-args }}", SECRET_BUILD_ARGS: "${{ matrix.service.secret-build-args }}" },
    run: script([
      readVersionLine(plan.versionFile),
      'case "$VERSION" in',
      `  "" | *[!A-Za-z0-9_.-]*) echo "::error file=${plan.versionFile}::${plan.versionFile} must hold a version usable in an image tag, got '$VERSION'"; exit 1 ;;`,
      "esac",
      'echo "version=$VERSION" >> "$GITHUB_OUTPUT"',
      "{",
      '  echo "build-args<<BUILD_ARGS_END"',
      `  if [ -n "$BUILD_ARGS" ]; then printf '%s\\n' "\${BUILD_ARGS//"${SHA_IN_BUILD_ARG}"/$GITHUB_SHA}"; fi`,
      "  for name in $SECRET_BUILD_ARGS; do echo \"$name\"; done",
      '  echo "BUILD_ARGS_END"',
      '} >> "$GITHUB_OUTPUT"',
    ]),
  };
}

/**
 * The layer cache lives in the same registry as the image (`type=registry`), as a
 * `buildcache-<environment>` tag of the service's repository, not in the GitHub Actions cache:
 * the GitHub cache holds 10 GB per repository by default and evicts what a week did not read, which a
 * monorepo of Next.js and Node images outgrows, while the registry keeps every service's cache
 * as long as its images, with the push rights the build already has. `mode=max` also caches the
 * intermediate stages (dependency install, compile), where the time goes; ACR needs the cache as
 * an OCI image manifest (`image-manifest=true,oci-mediatypes=true`) rather than a bare index.
 * One tag per environment, because an environment may build a service differently (frontend
 * build arguments), and two environments writing one cache tag would evict each other's layers.
 */
function cacheRef(plan: DeployPlan): string {
  return `type=registry,ref=\${{ env.${IMAGE_VARIABLE} }}:buildcache-${plan.environment}`;
}

/** The step variable holding the image's repository, `<registry server>/<service>`: tags and cache refs share it. */
const IMAGE_VARIABLE = "IMAGE";

/**
 * One build-push-action step builds and pushes every tag. Secret values never become build
 * arguments (they persist in the image and its provenance): `secret-envs` hands BuildKit the
 * name of a variable of this step's environment, and the Dockerfile mounts it with
 * `RUN --mount=type=secret,id=<id>`. The context is the checkout (not the action's default Git
 * context), so the build sees exactly the files the affected-only check hashed.
 */
function buildAndPushStep(plan: DeployPlan, pins: PinTable, builds: BuildEntry[]): Step {
  const image = `\${{ env.${IMAGE_VARIABLE} }}`;
  return {
    name: BUILD_AND_PUSH_STEP_NAME,
    uses: usesPinned(pins, "docker/build-push-action"),
    env: { [IMAGE_VARIABLE]: `${secretExpr(plan.containerRegistry.loginServerSecret)}/\${{ matrix.service.name }}`, ...perServiceSecretEnv(builds) },
    with: {
      context: ".",
      file: "${{ matrix.service.path }}/Dockerfile",
      target: "production",
      push: true,
      tags: plan.imageTags.map((t) => `${image}:${tagExpression(t)}`).join("\n") + "\n",
      "build-args": `\${{ steps.${BUILD_INPUTS_STEP_ID}.outputs.build-args }}`,
      "secret-envs": "${{ matrix.service.secret-envs }}",
      "cache-from": cacheRef(plan),
      "cache-to": `${cacheRef(plan)},mode=max,image-manifest=true,oci-mediatypes=true`,
    },
  };
}

/** Name of the step that builds and pushes the image. */
export const BUILD_AND_PUSH_STEP_NAME = "Build and push image";

/**
 * Sentry is best effort, on purpose: the image is already pushed when these steps run, and a
 * Sentry outage (or a registry outage while installing its CLI) must not fail the build and so
 * block every deploy; it only loses release metadata, and the failed step still shows in the run.
 */
function sentrySteps(plan: DeployPlan, builds: BuildEntry[]): Step[] {
  const sentry = plan.sentry;
  if (!sentry || !builds.some((b) => b.sentryProject)) return [];
  return [
    installSentryCliStep(plan, "matrix.service.sentry"),
    {
      name: "Create Sentry release",
      if: `matrix.service.sentry && ${SENTRY_CLI_INSTALLED}`,
      env: {
        SENTRY_AUTH_TOKEN: secretExpr(sentry.authTokenSecret),
        SENTRY_ORG: sentry.organization,
        SENTRY_PROJECT: "${{ matrix.service.sentry-project }}",
        SERVICE: "${{ matrix.service.name }}",
        VERSION: `\${{ steps.${BUILD_INPUTS_STEP_ID}.outputs.version }}`,
      },
      run: script([
        `release="\${SERVICE}@v\${VERSION}${sentry.releaseSuffix}"`,
        'sentry-cli releases new "$release" --project "$SENTRY_PROJECT"',
        'sentry-cli releases set-commits "$release" --auto --ignore-missing',
        'sentry-cli releases finalize "$release"',
      ]),
      "continue-on-error": true,
    },
  ];
}

const SENTRY_CLI_STEP_ID = "sentry-cli";
/** Condition of the steps that use the Sentry CLI: its (best-effort) install succeeded. */
export const SENTRY_CLI_INSTALLED = `steps.${SENTRY_CLI_STEP_ID}.outcome == 'success'`;

/**
 * Installs the pinned Sentry CLI once per job, into the job's temporary folder (nothing global),
 * and puts it on PATH for the later steps: the runner's `install-sentry-cli` (runner/sentry.ts).
 * Chosen over `getsentry/action-release`, which makes one release per step: the deploy job records
 * every service's deploy in one loop with one install. Chosen over `npx`, which would install
 * inside the step that holds the auth token: here no token is in the environment, and
 * `--ignore-scripts` runs no install script at all (the binary is the package's exact-version
 * platform dependency). Best effort: see sentrySteps.
 */
export function installSentryCliStep(plan: { workflowFile: string }, condition?: string): Step {
  return {
    name: "Install Sentry CLI",
    id: SENTRY_CLI_STEP_ID,
    ...(condition ? { if: condition } : {}),
    run: script([runnerCommand("install-sentry-cli", plan)]),
    "continue-on-error": true,
  };
}

/**
 * One build job: a matrix over one shard of the built services. With affected builds the matrix
 * comes from the `changes` job (only the services whose inputs changed), and the job is skipped
 * when its shard has nothing to build (GitHub rejects an empty matrix).
 */
export function renderBuildJob(plan: DeployPlan, pins: PinTable, shard: BuildShard<BuildEntry>, changes?: { jobId: string; output: string }): Job {
  const matrix = changes ? `\${{ fromJSON(needs.${changes.jobId}.outputs.${changes.output}) }}` : shard.items.map(matrixEntry);
  return {
    name: "Build ${{ matrix.service.name }}",
    ...(changes ? { needs: [changes.jobId], if: `needs.${changes.jobId}.outputs.${changes.output} != '[]'` } : {}),
    "runs-on": "ubuntu-latest",
    environment: plan.githubEnvironment,
    permissions: jobPermissions(plan.azureLogin),
    "timeout-minutes": 60,
    // Every build runs to the end, so one run reports every broken image; the deploy needs all.
    strategy: { "fail-fast": false, matrix: { service: matrix } },
    steps: [
      ...registryLoginSteps(plan, pins),
      // The docker-container builder: the default docker driver cannot export a registry cache.
      { name: "Set up Docker Buildx", uses: usesPinned(pins, "docker/setup-buildx-action") },
      buildInputsStep(plan),
      buildAndPushStep(plan, pins, shard.items),
      ...sentrySteps(plan, shard.items),
    ],
  };
}

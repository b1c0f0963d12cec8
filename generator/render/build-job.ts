/**
 * The build job: one matrix entry per built service; each builds its Dockerfile (target
 * `production`), pushes every tag of the environment, and creates its Sentry release.
 */
import { jobPermissions, registryLoginSteps } from "./azure.ts";
import type { BuildEntry, DeployPlan } from "../plan/plan.ts";
import { type PinTable, SENTRY_CLI_PACKAGE } from "./pins.ts";
import { script, shq } from "./shell.ts";
import type { BuildShard } from "../plan/shards.ts";
import { type Job, type Step, secretExpr } from "./workflow.ts";

/** Job id of the build when one matrix holds every service; see shards.ts for more. */
export const BUILD_JOB_ID = "build";

/** Build-argument text of the commit: the build script replaces it with `$GITHUB_SHA`. */
const SHA_IN_BUILD_ARG = "{sha}";

/**
 * A matrix entry. Only non-secret data (the secrets context is not available to `strategy`), and
 * no expressions: with affected builds the entries travel as JSON through a job output, where
 * nothing would evaluate them, so the commit is written `{sha}` and the build script fills it in.
 */
export function matrixEntry(b: BuildEntry): Record<string, string | boolean> {
  return {
    name: b.name,
    path: b.path,
    "build-args": b.buildArgs.map((a) => `${a.name}=${a.text.replaceAll("${{ github.sha }}", SHA_IN_BUILD_ARG)}`).join("\n"),
    "secret-build-args": b.secretBuildArgs.map((a) => a.name).join(" "),
    sentry: b.sentryProject !== undefined,
    "sentry-project": b.sentryProject ?? "",
  };
}

/** Shell text of an image tag: `{sha}` and `{version}` become variables, the rest is literal. */
export function tagShell(tag: string): string {
  return tag.replace(/\{sha\}/g, "${GITHUB_SHA}").replace(/\{version\}/g, "${VERSION}");
}

export function readVersionLine(versionFile: string): string {
  return `VERSION="$(tr -d '[:space:]' < ${shq(versionFile)})"`;
}

/**
 * Secret build arguments reach docker through the step environment, each only in the matrix
 * jobs of the services that declare it: other services' jobs see an empty value.
 */
function secretBuildArgEnv(builds: BuildEntry[]): Record<string, string> {
  const byArg = new Map<string, { service: string; secret: string }[]>();
  for (const b of builds) for (const a of b.secretBuildArgs) byArg.set(a.name, [...(byArg.get(a.name) ?? []), { service: b.name, secret: a.secret }]);
  const env: Record<string, string> = {};
  for (const name of [...byArg.keys()].sort()) {
    const arms = byArg.get(name)!.map((u) => `matrix.service.name == '${u.service}' && secrets.${u.secret}`);
    env[name] = `\${{ ${arms.join(" || ")} || '' }}`;
  }
  return env;
}

function buildAndPushStep(plan: DeployPlan, builds: BuildEntry[]): Step {
  const [first, ...rest] = plan.imageTags.map(tagShell);
  return {
    name: "Build and push image",
    env: {
      ACR_SERVER: secretExpr(plan.containerRegistry.loginServerSecret),
      SERVICE: "${{ matrix.service.name }}",
      SERVICE_PATH: "${{ matrix.service.path }}",
      BUILD_ARGS: "${{ matrix.service.build-args }}",
      SECRET_BUILD_ARGS: "${{ matrix.service.secret-build-args }}",
      ...secretBuildArgEnv(builds),
    },
    run: script([
      readVersionLine(plan.versionFile),
      'image="${ACR_SERVER}/${SERVICE}"',
      "docker_args=()",
      'while IFS= read -r arg; do',
      `  if [ -n "$arg" ]; then docker_args+=(--build-arg "\${arg//"${SHA_IN_BUILD_ARG}"/$GITHUB_SHA}"); fi`,
      'done <<< "$BUILD_ARGS"',
      "# A bare --build-arg NAME makes docker read the value from the environment: no secret on a command line.",
      "for name in $SECRET_BUILD_ARGS; do docker_args+=(--build-arg \"$name\"); done",
      `docker build --file "\${SERVICE_PATH}/Dockerfile" --target production "\${docker_args[@]}" --tag "\${image}:${first}" .`,
      `docker push "\${image}:${first}"`,
      ...rest.flatMap((tag) => [`docker tag "\${image}:${first}" "\${image}:${tag}"`, `docker push "\${image}:${tag}"`]),
    ]),
  };
}

/**
 * Sentry is best effort, on purpose: the image is already pushed when these steps run, and a
 * Sentry outage (or a registry outage while installing its CLI) must not fail the build and so
 * block every deploy; it only loses release metadata, and the failed step still shows in the run.
 * The CLI is installed in its own step, without the auth token in its environment, so the
 * package's install scripts never see the token; the release step is skipped when it failed.
 */
function sentrySteps(plan: DeployPlan, builds: BuildEntry[]): Step[] {
  const sentry = plan.sentry;
  if (!sentry || !builds.some((b) => b.sentryProject)) return [];
  return [
    installSentryCliStep("matrix.service.sentry"),
    {
      name: "Create Sentry release",
      if: `matrix.service.sentry && ${SENTRY_CLI_INSTALLED}`,
      env: {
        SENTRY_AUTH_TOKEN: secretExpr(sentry.authTokenSecret),
        SENTRY_ORG: sentry.organization,
        SENTRY_PROJECT: "${{ matrix.service.sentry-project }}",
        SERVICE: "${{ matrix.service.name }}",
      },
      run: script([
        readVersionLine(plan.versionFile),
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

/** The pinned npm package, never a `curl | bash` installer. Best effort: see sentrySteps. */
export function installSentryCliStep(condition?: string): Step {
  return {
    name: "Install Sentry CLI",
    id: SENTRY_CLI_STEP_ID,
    ...(condition ? { if: condition } : {}),
    run: script([`npm install --global --no-audit --no-fund ${SENTRY_CLI_PACKAGE}`]),
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
      buildAndPushStep(plan, shard.items),
      ...sentrySteps(plan, shard.items),
    ],
  };
}

/**
 * The build job: one matrix entry per built service; each builds its Dockerfile (target
 * `production`), pushes every tag of the environment, and creates its Sentry release.
 */
import { azureLoginStep, jobPermissions } from "./azure.ts";
import type { BuildEntry, DeployPlan } from "./plan.ts";
import { type PinTable, SENTRY_CLI_PACKAGE } from "./pins.ts";
import { script, shq } from "./shell.ts";
import { type Job, type Step, checkoutStep, secretExpr } from "./workflow.ts";

export const BUILD_JOB_ID = "build";

/** A matrix entry. Only non-secret data: the secrets context is not available to `strategy`. */
export function matrixEntry(b: BuildEntry): Record<string, string | boolean> {
  return {
    name: b.name,
    path: b.path,
    "build-args": b.buildArgs.map((a) => `${a.name}=${a.text}`).join("\n"),
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

function buildAndPushStep(plan: DeployPlan): Step {
  const [first, ...rest] = plan.imageTags.map(tagShell);
  return {
    name: "Build and push image",
    env: {
      ACR_SERVER: secretExpr(plan.containerRegistry.loginServerSecret),
      SERVICE: "${{ matrix.service.name }}",
      SERVICE_PATH: "${{ matrix.service.path }}",
      BUILD_ARGS: "${{ matrix.service.build-args }}",
      SECRET_BUILD_ARGS: "${{ matrix.service.secret-build-args }}",
      ...secretBuildArgEnv(plan.builds),
    },
    run: script([
      readVersionLine(plan.versionFile),
      'image="${ACR_SERVER}/${SERVICE}"',
      "build_args=()",
      'while IFS= read -r arg; do',
      '  if [ -n "$arg" ]; then build_args+=(--build-arg "$arg"); fi',
      'done <<< "$BUILD_ARGS"',
      "# A bare --build-arg NAME makes docker read the value from the environment: no secret on a command line.",
      "for name in $SECRET_BUILD_ARGS; do build_args+=(--build-arg \"$name\"); done",
      `docker build --file "\${SERVICE_PATH}/Dockerfile" --target production "\${build_args[@]}" --tag "\${image}:${first}" .`,
      `docker push "\${image}:${first}"`,
      ...rest.flatMap((tag) => [`docker tag "\${image}:${first}" "\${image}:${tag}"`, `docker push "\${image}:${tag}"`]),
    ]),
  };
}

/** Sentry must not block a deploy: a Sentry outage only loses release metadata. */
function sentrySteps(plan: DeployPlan): Step[] {
  const sentry = plan.sentry;
  if (!sentry || !plan.builds.some((b) => b.sentryProject)) return [];
  return [
    installSentryCliStep("matrix.service.sentry"),
    {
      name: "Create Sentry release",
      if: "matrix.service.sentry",
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

export function installSentryCliStep(condition?: string): Step {
  return {
    name: "Install Sentry CLI",
    ...(condition ? { if: condition } : {}),
    run: script([`npm install --global --no-audit --no-fund ${SENTRY_CLI_PACKAGE}`]),
    "continue-on-error": true,
  };
}

export function renderBuildJob(plan: DeployPlan, pins: PinTable): Job {
  return {
    name: "Build ${{ matrix.service.name }}",
    "runs-on": "ubuntu-latest",
    environment: plan.githubEnvironment,
    permissions: jobPermissions(plan.azureLogin),
    "timeout-minutes": 60,
    // Every build runs to the end, so one run reports every broken image; the deploy needs all.
    strategy: { "fail-fast": false, matrix: { service: plan.builds.map(matrixEntry) } },
    steps: [
      checkoutStep(pins),
      azureLoginStep(plan.azureLogin, pins),
      {
        name: "Log in to the container registry",
        env: { ACR_NAME: secretExpr(plan.containerRegistry.nameSecret) },
        run: script(['az acr login --name "$ACR_NAME"']),
      },
      buildAndPushStep(plan),
      ...sentrySteps(plan),
    ],
  };
}

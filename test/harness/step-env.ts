/**
 * The environment of one step's process, built from scratch so nothing of the test process
 * (its PATH, tokens, cloud credentials) leaks into a workflow script.
 *
 * Precedence follows the runner: workflow env < job env < $GITHUB_ENV < step env, and the
 * GITHUB_* / RUNNER_* defaults are applied last because workflows cannot override them
 * (CI can be overridden). The fake-tools directory comes right after $GITHUB_PATH additions.
 */
import { HARNESS_VARIABLE_PREFIX } from "./fake-tools.ts";

/** The usual Linux system PATH; the runner's own tool directories are deliberately absent. */
export const SYSTEM_PATH = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"] as const;

/** github context keys the runner also exports as GITHUB_<KEY>. */
const GITHUB_CONTEXT_VARIABLES = [
  "action", "actor", "api_url", "base_ref", "event_name", "graphql_url", "head_ref", "job", "ref", "ref_name",
  "ref_protected", "ref_type", "repository", "repository_id", "repository_owner", "run_attempt", "run_id",
  "run_number", "server_url", "sha", "triggering_actor", "workflow", "workflow_ref",
] as const;

export interface StepFiles {
  env: string;
  output: string;
  summary: string;
  path: string;
}

export interface StepEnvironmentInput {
  github: Readonly<Record<string, unknown>>;
  /** workflow env < job env < $GITHUB_ENV < step env, already merged. */
  userEnv: Readonly<Record<string, string>>;
  /** Directories from $GITHUB_PATH, most recent first. */
  addedPaths: readonly string[];
  workspace: string;
  home: string;
  runnerTemp: string;
  fakeBinDir: string;
  files: StepFiles;
  harnessEnv: Readonly<Record<string, string>>;
  stepName: string;
}

export function stepEnvironment(input: StepEnvironmentInput): Record<string, string> {
  const fromGithub: Record<string, string> = {};
  for (const key of GITHUB_CONTEXT_VARIABLES) {
    const value = input.github[key];
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
      fromGithub[`GITHUB_${key.toUpperCase()}`] = String(value);
    }
  }
  const fixed: Record<string, string> = {
    ...fromGithub,
    GITHUB_ACTIONS: "true",
    GITHUB_WORKSPACE: input.workspace,
    GITHUB_ENV: input.files.env,
    GITHUB_OUTPUT: input.files.output,
    GITHUB_STEP_SUMMARY: input.files.summary,
    GITHUB_PATH: input.files.path,
    RUNNER_OS: "Linux",
    RUNNER_ARCH: "X64",
    RUNNER_TEMP: input.runnerTemp,
  };
  const basePath = input.userEnv.PATH ?? SYSTEM_PATH.join(":");
  return {
    HOME: input.home,
    LANG: "C.UTF-8",
    CI: "true",
    ...input.userEnv,
    ...fixed,
    PATH: [...input.addedPaths, input.fakeBinDir, basePath].join(":"),
    ...input.harnessEnv,
    HARNESS_STEP: input.stepName,
  };
}

/** How the runner hands `with:` inputs to an action: INPUT_<NAME>, spaces as underscores. */
export function actionInputVariables(inputs: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(inputs).map(([name, value]) => [`INPUT_${name.replaceAll(" ", "_").toUpperCase()}`, value]));
}

/** Variable names a test should see: everything but the harness's own plumbing, sorted. */
export function reportedEnvKeys(env: Readonly<Record<string, string>>): string[] {
  return Object.keys(env)
    .filter((key) => !key.startsWith(HARNESS_VARIABLE_PREFIX))
    .sort();
}

/** Names of secrets whose (non-empty) value occurs in any of the texts, sorted. */
export function secretNamesIn(texts: readonly string[], secrets: Readonly<Record<string, string>>): string[] {
  return Object.entries(secrets)
    .filter(([, value]) => value !== "" && texts.some((text) => text.includes(value)))
    .map(([name]) => name)
    .sort();
}

/** Secrets a step's process can read through its environment. */
export function visibleSecretNames(env: Readonly<Record<string, string>>, secrets: Readonly<Record<string, string>>): string[] {
  return secretNamesIn(reportedEnvKeys(env).map((key) => env[key] ?? ""), secrets);
}

/**
 * Executes one step of a job: evaluates its `if:`, env, inputs and script with the job state as
 * it is at that moment, runs `run:` scripts, then folds what the step wrote to $GITHUB_ENV /
 * $GITHUB_OUTPUT / $GITHUB_PATH / $GITHUB_STEP_SUMMARY into the job state. `uses:` actions are only
 * recorded, except those with a typed fake in actions/ (docker/build-push-action), which run.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { BUILD_PUSH_ACTION, runBuildPushAction } from "./actions/build-push-action.ts";
import { CommandFileError, parseCommandFile } from "./command-files.ts";
import type { ExpressionScope } from "./expressions.ts";
import { ExpressionRuntimeError, evaluateCondition, evaluateValue, interpolate, isTruthy } from "./expressions.ts";
import type { FakeToolbox } from "./fake-tools.ts";
import { hashFiles } from "./hash-files.ts";
import { runProcess, shellCommand } from "./shell.ts";
import { actionInputVariables, reportedEnvKeys, secretNamesIn, stepEnvironment, visibleSecretNames } from "./step-env.ts";
import type { StepFiles } from "./step-env.ts";
import type { StepOutcome, StepResult } from "./types.ts";
import type { RunDefaults, StepModel } from "./workflow-model.ts";

export interface StepRecord {
  outcome: StepOutcome;
  conclusion: StepOutcome;
  outputs: Record<string, string>;
}

/** What changes as steps run. */
export interface JobState {
  status: "success" | "failure";
  envFromFile: Record<string, string>;
  /** $GITHUB_PATH additions, most recent first (the runner prepends each one). */
  addedPaths: string[];
  steps: Record<string, StepRecord>;
  summary: string;
}

/** What stays fixed for the whole job. */
export interface JobRuntime {
  workdir: string;
  root: string;
  home: string;
  runnerTemp: string;
  toolbox: FakeToolbox;
  /** github, secrets, vars, matrix, inputs, needs, runner, strategy. */
  contexts: Readonly<Record<string, unknown>>;
  github: Readonly<Record<string, unknown>>;
  secrets: Readonly<Record<string, string>>;
  defaults: RunDefaults;
  /** Evaluated workflow env overlaid with evaluated job env. */
  baseEnv: Readonly<Record<string, string>>;
  state: JobState;
}

export function globalEnv(runtime: JobRuntime): Record<string, string> {
  return { ...runtime.baseEnv, ...runtime.state.envFromFile };
}

export function scopeFor(runtime: JobRuntime, env: Readonly<Record<string, string>>): ExpressionScope {
  const { status } = runtime.state;
  return {
    contexts: { ...runtime.contexts, env, steps: runtime.state.steps, job: { status } },
    status: { success: status === "success", failure: status === "failure", cancelled: false },
    hashFiles: (patterns) => hashFiles(runtime.workdir, patterns),
  };
}

function evaluateMap(values: Readonly<Record<string, string>>, scope: ExpressionScope): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, interpolate(value, scope)]));
}

function defaultName(step: StepModel): string {
  if (step.uses !== undefined) return `Run ${step.uses}`;
  return `Run ${(step.run ?? "").trim().split("\n")[0] ?? ""}`;
}

function stepFiles(runtime: JobRuntime, index: number): StepFiles {
  const dir = join(runtime.root, "steps", String(index));
  mkdirSync(dir, { recursive: true });
  const files: StepFiles = { env: join(dir, "env"), output: join(dir, "output"), summary: join(dir, "summary"), path: join(dir, "path") };
  for (const file of Object.values(files)) writeFileSync(file, "");
  return files;
}

type Body = Omit<StepResult, "name" | "id" | "conclusion">;

/** Applies what the step wrote to the runner's command files; returns the step's outputs. */
function absorbCommandFiles(runtime: JobRuntime, files: StepFiles): Record<string, string> {
  const { state } = runtime;
  for (const [key, value] of parseCommandFile(readFileSync(files.env, "utf8"))) state.envFromFile[key] = value;
  for (const line of readFileSync(files.path, "utf8").split("\n")) {
    if (line.trim() !== "") state.addedPaths.unshift(line.trim());
  }
  state.summary += readFileSync(files.summary, "utf8");
  return Object.fromEntries(parseCommandFile(readFileSync(files.output, "utf8")));
}

async function runScript(runtime: JobRuntime, step: StepModel, index: number, name: string, env: Record<string, string>, scope: ExpressionScope): Promise<{ body: Body; outputs: Record<string, string> }> {
  const files = stepFiles(runtime, index);
  const script = interpolate(step.run ?? "", scope);
  const scriptPath = join(runtime.runnerTemp, `step-${index}.sh`);
  writeFileSync(scriptPath, script);
  const workingDirectory = step.workingDirectory ?? runtime.defaults.workingDirectory;
  const cwd = resolve(runtime.workdir, workingDirectory === undefined ? "." : interpolate(workingDirectory, scope));
  const processEnv = stepEnvironment({
    github: runtime.github,
    userEnv: env,
    addedPaths: runtime.state.addedPaths,
    workspace: runtime.workdir,
    home: runtime.home,
    runnerTemp: runtime.runnerTemp,
    fakeBinDir: runtime.toolbox.binDir,
    files,
    harnessEnv: runtime.toolbox.env,
    stepName: name,
  });
  const observed = {
    envKeys: reportedEnvKeys(processEnv),
    secretNamesVisible: visibleSecretNames(processEnv, runtime.secrets),
    secretNamesInScript: secretNamesIn([script], runtime.secrets),
  };
  if (!existsSync(cwd) || !statSync(cwd).isDirectory()) {
    const stderr = `harness: working-directory ${cwd} does not exist\n`;
    return { body: { outcome: "failure", exitCode: 1, stdout: "", stderr, ...observed }, outputs: {} };
  }
  const timeoutMinutes = step.timeoutMinutes === undefined ? Number.NaN : Number(interpolate(step.timeoutMinutes, scope));
  const result = await runProcess(shellCommand(step.shell ?? runtime.defaults.shell, scriptPath), {
    cwd,
    env: processEnv,
    timeoutMs: Number.isFinite(timeoutMinutes) && timeoutMinutes > 0 ? timeoutMinutes * 60_000 : undefined,
  });
  let { exitCode, stderr } = result;
  let outputs: Record<string, string> = {};
  try {
    outputs = absorbCommandFiles(runtime, files);
  } catch (error) {
    // The runner fails a step whose command files it cannot parse, even when the script succeeded.
    if (!(error instanceof CommandFileError)) throw error;
    stderr += `harness: ${error.message}\n`;
    exitCode = exitCode === 0 ? 1 : exitCode;
  }
  return { body: { outcome: exitCode === 0 ? "success" : "failure", exitCode, stdout: result.stdout, stderr, ...observed }, outputs };
}

function recordAction(runtime: JobRuntime, step: StepModel, env: Record<string, string>, scope: ExpressionScope): Body {
  const inputs = evaluateMap(step.with, scope);
  // The action is not run, but it would receive the workflow/job/step env plus its inputs as
  // INPUT_* variables: report those, so a secret passed through `with:` counts as visible.
  const actionEnv = { ...env, ...actionInputVariables(inputs) };
  return {
    uses: step.uses,
    with: inputs,
    outcome: "success",
    stdout: "",
    stderr: "",
    envKeys: reportedEnvKeys(actionEnv),
    secretNamesVisible: visibleSecretNames(actionEnv, runtime.secrets),
    secretNamesInScript: [],
  };
}

/** Runs an action that has a fake (see actions/); any other action is only recorded. */
async function runAction(runtime: JobRuntime, step: StepModel, index: number, name: string, env: Record<string, string>, scope: ExpressionScope): Promise<{ body: Body; outputs: Record<string, string> }> {
  const recorded = recordAction(runtime, step, env, scope);
  if (step.uses?.split("@")[0] !== BUILD_PUSH_ACTION) return { body: recorded, outputs: {} };
  const inputs = recorded.with ?? {};
  const processEnv = stepEnvironment({
    github: runtime.github,
    userEnv: { ...env, ...actionInputVariables(inputs) },
    addedPaths: runtime.state.addedPaths,
    workspace: runtime.workdir,
    home: runtime.home,
    runnerTemp: runtime.runnerTemp,
    fakeBinDir: runtime.toolbox.binDir,
    files: stepFiles(runtime, index),
    harnessEnv: runtime.toolbox.env,
    stepName: name,
  });
  const result = await runBuildPushAction({ inputs, env: processEnv, cwd: runtime.workdir, fakeBinDir: runtime.toolbox.binDir, tempDir: runtime.runnerTemp });
  const { outputs, ...body } = result;
  return { body: { ...recorded, ...body }, outputs };
}

/** A name whose expression fails at run time is shown unevaluated rather than aborting the job. */
function displayName(step: StepModel, scope: ExpressionScope): string {
  if (step.name === undefined) return defaultName(step);
  try {
    return interpolate(step.name, scope);
  } catch (error) {
    if (error instanceof ExpressionRuntimeError) return step.name;
    throw error;
  }
}

/** Only steps with an `id` appear in the `steps` context, as on GitHub. */
function remember(runtime: JobRuntime, step: StepModel, record: StepRecord): void {
  if (step.id !== undefined) runtime.state.steps[step.id] = record;
}

export async function runStep(runtime: JobRuntime, step: StepModel, index: number): Promise<StepResult> {
  const outerScope = scopeFor(runtime, globalEnv(runtime));
  const name = displayName(step, outerScope);
  const identity = { name, ...(step.id === undefined ? {} : { id: step.id }) };
  let continueOnError = false;
  let body: Body;
  let outputs: Record<string, string> = {};
  try {
    if (!evaluateCondition(step.if, outerScope)) {
      remember(runtime, step, { outcome: "skipped", conclusion: "skipped", outputs: {} });
      const skipped: StepResult = { ...identity, outcome: "skipped", conclusion: "skipped", stdout: "", stderr: "", envKeys: [], secretNamesVisible: [], secretNamesInScript: [] };
      if (step.uses !== undefined) skipped.uses = step.uses;
      return skipped;
    }
    const env = { ...globalEnv(runtime), ...evaluateMap(step.env, outerScope) };
    const scope = scopeFor(runtime, env);
    continueOnError = step.continueOnError !== undefined && isTruthy(evaluateValue(step.continueOnError, scope));
    if (step.uses !== undefined) {
      ({ body, outputs } = await runAction(runtime, step, index, name, env, scope));
    } else {
      ({ body, outputs } = await runScript(runtime, step, index, name, env, scope));
    }
  } catch (error) {
    // Only run-time expression errors are step failures on GitHub; an invalid workflow (bad
    // expression syntax, unknown shell) or a harness bug must surface as a thrown error.
    if (!(error instanceof ExpressionRuntimeError)) throw error;
    body = { outcome: "failure", stdout: "", stderr: `harness: ${error.message}\n`, envKeys: [], secretNamesVisible: [], secretNamesInScript: [] };
  }
  const conclusion: StepOutcome = body.outcome === "failure" && continueOnError ? "success" : body.outcome;
  if (conclusion === "failure") runtime.state.status = "failure";
  remember(runtime, step, { outcome: body.outcome, conclusion, outputs });
  return { ...identity, ...body, conclusion };
}

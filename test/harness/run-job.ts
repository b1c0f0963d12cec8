/**
 * Local execution of one GitHub Actions job, for tests that must show a workflow's scripts do the
 * right thing without a cluster, registry or network. `run:` steps execute with the real bash and
 * real coreutils/envsubst; kubectl, az, docker, sentry-cli, npm/npx/pnpm and curl/wget are fakes
 * that record every call (see fake-tools.ts). Matrices are not expanded: pass one entry.
 *
 * Everything a run creates lives in a temp directory removed at the end, except changes the
 * scripts make to `workdir` (the checkout), which the caller owns.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { evaluateCondition, interpolate } from "./expressions.ts";
import type { ExpressionScope } from "./expressions.ts";
import { installFakeTools, readKubeObjects, readToolCalls } from "./fake-tools.ts";
import { hashFiles } from "./hash-files.ts";
import { globalEnv, runStep, scopeFor } from "./run-step.ts";
import type { JobRuntime } from "./run-step.ts";
import { SYSTEM_PATH } from "./step-env.ts";
import type { JobContext, JobRunOptions, JobRunResult, StepResult } from "./types.ts";
import type { WorkflowModel } from "./workflow-model.ts";
import { readWorkflow } from "./workflow-model.ts";

export type { DelayRule, FailRule, JobRunOptions, JobRunResult, KubeObject, StepResult, ToolCall } from "./types.ts";

/** Scope for job-level keys, where success()/failure() look at the results of `needs`. */
function jobLevelScope(contexts: Record<string, unknown>, env: Record<string, string>, needs: JobContext["needs"], workdir: string): ExpressionScope {
  const results = Object.values(needs ?? {}).map((need) => need.result);
  return {
    contexts: { ...contexts, env },
    status: { success: results.every((r) => r === "success"), failure: results.includes("failure"), cancelled: results.includes("cancelled") },
    hashFiles: (patterns) => hashFiles(workdir, patterns),
  };
}

function evaluateEnv(values: Readonly<Record<string, string>>, scope: ExpressionScope, into: Record<string, string>): void {
  // Keys of one env block cannot see each other: the block is evaluated against the env before it.
  for (const [key, value] of Object.entries(values)) into[key] = interpolate(value, scope);
}

function buildRuntime(model: WorkflowModel, opts: JobRunOptions, root: string): JobRuntime | undefined {
  const home = join(root, "home");
  const runnerTemp = join(root, "runner-temp");
  mkdirSync(home, { recursive: true });
  mkdirSync(runnerTemp, { recursive: true });
  // The checkout directory is the workspace; a caller-supplied github.workspace cannot point elsewhere.
  const github = { job: opts.jobId, ...opts.context.github, workspace: opts.workdir };
  const contexts: Record<string, unknown> = {
    github,
    secrets: opts.context.secrets,
    vars: opts.context.vars ?? {},
    matrix: opts.context.matrix ?? {},
    inputs: opts.context.inputs ?? {},
    needs: opts.context.needs ?? {},
    runner: { os: "Linux", arch: "X64", name: "job-harness", temp: runnerTemp, environment: "github-hosted" },
    strategy: { "fail-fast": true, "job-index": 0, "job-total": 1, "max-parallel": 1 },
  };
  const baseEnv: Record<string, string> = {};
  evaluateEnv(model.env, jobLevelScope(contexts, {}, opts.context.needs, opts.workdir), baseEnv);
  const jobScope = jobLevelScope(contexts, { ...baseEnv }, opts.context.needs, opts.workdir);
  if (!evaluateCondition(model.job.if, jobScope)) return undefined;
  evaluateEnv(model.job.env, jobScope, baseEnv);
  return {
    workdir: opts.workdir,
    root,
    home,
    runnerTemp,
    toolbox: installFakeTools(join(root, "tools"), { fail: opts.fail ?? [], delays: opts.delays ?? [] }, SYSTEM_PATH, opts.cluster),
    contexts,
    github,
    secrets: opts.context.secrets,
    defaults: {
      shell: model.job.defaults.shell ?? model.defaults.shell,
      workingDirectory: model.job.defaults.workingDirectory ?? model.defaults.workingDirectory,
    },
    baseEnv,
    state: { status: "success", envFromFile: {}, addedPaths: [], steps: {}, summary: "" },
  };
}

/**
 * Runs one job of the workflow to completion and reports every step and fake-tool call.
 * Throws for a workflow the harness cannot run (invalid YAML or expression, unknown job, unsupported
 * shell); a failing script is a `failure` conclusion, never an exception.
 */
export async function runJob(options: JobRunOptions): Promise<JobRunResult> {
  // An absolute workspace: scripts see it as GITHUB_WORKSPACE and may cd away from it.
  const opts = { ...options, workdir: resolve(options.workdir) };
  const model = readWorkflow(opts.workflowText, opts.jobId);
  const root = mkdtempSync(join(tmpdir(), "job-harness-"));
  try {
    const runtime = buildRuntime(model, opts, root);
    if (!runtime) return { conclusion: "skipped", steps: [], calls: [], summary: "", outputs: {}, kubeObjects: [] };
    const steps: StepResult[] = [];
    // Steps run strictly one after another, as on a runner; only a script's own `&` runs things in parallel.
    for (const [index, step] of model.job.steps.entries()) steps.push(await runStep(runtime, step, index));
    const outputsScope = scopeFor(runtime, globalEnv(runtime));
    const outputs = Object.fromEntries(Object.entries(model.job.outputs).map(([key, value]) => [key, interpolate(value, outputsScope)]));
    return {
      conclusion: runtime.state.status,
      steps,
      calls: readToolCalls(runtime.toolbox.logPath),
      summary: runtime.state.summary,
      outputs,
      kubeObjects: readKubeObjects(runtime.toolbox.stateDir),
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

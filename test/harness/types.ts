/**
 * Public types of the local job harness. Kept apart from the runner so tests and helpers can
 * import them without pulling in the process-spawning code.
 */
import type { BuildPushRecord } from "./actions/build-push-action.ts";

/** Matches one fake-tool call: every entry of `argsInclude` must equal one argument (any order). */
export interface ToolMatcher {
  /** Fake tool name, e.g. "kubectl", "docker", "curl". */
  tool: string;
  /** Arguments that must all be present as whole arguments, e.g. ["rollout", "status", "deployment/portal"]. */
  argsInclude: string[];
}

/** Makes a matching fake-tool call fail instead of doing its normal work. */
export interface FailRule extends ToolMatcher {
  /** Exit code of the failing call; default 1. */
  exitCode?: number;
  /** Text the failing call writes to stderr; default names the rule. */
  stderr?: string;
  /** Fail only the first this many matching calls (e.g. a rollout that fails, then its rollback's wait succeeds); default every one. */
  times?: number;
}

/** Makes a matching fake-tool call sleep before it finishes, so tests can observe concurrency. */
export interface DelayRule extends ToolMatcher {
  seconds: number;
}

export interface JobContext {
  github: Record<string, unknown>;
  secrets: Record<string, string>;
  vars?: Record<string, string>;
  /** One matrix entry: the harness runs a single combination and never expands a matrix. */
  matrix?: Record<string, unknown>;
  inputs?: Record<string, unknown>;
  needs?: Record<string, { result: string; outputs: Record<string, string> }>;
}

export interface JobRunOptions {
  /** The YAML text of the workflow. */
  workflowText: string;
  /** Key under `jobs:`, e.g. "deploy". */
  jobId: string;
  context: JobContext;
  /** Repository checkout used as cwd and GITHUB_WORKSPACE; steps may modify it. */
  workdir: string;
  fail?: FailRule[];
  delays?: DelayRule[];
  /** The fake cluster's objects when the job starts, e.g. `kubeObjects` of an earlier run (a cluster already deployed). */
  cluster?: readonly KubeObject[];
}

export type StepOutcome = "success" | "failure" | "skipped";

export interface StepResult {
  name: string;
  /** Step `id`, when the workflow gives one. */
  id?: string;
  uses?: string;
  /** Evaluated `with:` inputs of a `uses:` step. */
  with?: Record<string, string>;
  /** What the docker/build-push-action fake handed buildx (tags, cache refs, build arguments, secrets). */
  buildPush?: BuildPushRecord;
  /** Result before `continue-on-error` is applied (GitHub's `steps.<id>.outcome`). */
  outcome: StepOutcome;
  /** Result after `continue-on-error` (GitHub's `steps.<id>.conclusion`). */
  conclusion: StepOutcome;
  /** Exit code of a `run:` step that ran. */
  exitCode?: number;
  stdout: string;
  stderr: string;
  /** Sorted names of the variables the step's process received (harness-internal ones excluded). */
  envKeys: string[];
  /** Keys of `context.secrets` whose non-empty value occurs in some variable of the step's environment. */
  secretNamesVisible: string[];
  /** Keys of `context.secrets` whose non-empty value was substituted into the `run:` script text. */
  secretNamesInScript: string[];
}

export interface ToolCall {
  tool: string;
  args: string[];
  /** Name of the step that made the call. */
  step: string;
  cwd: string;
  /** What the tool read from stdin, for calls that read it (e.g. `kubectl apply -f -`). */
  stdin?: string;
  startedMs: number;
  endedMs: number;
  exitCode: number;
}

/** An object `kubectl apply`/`create` stored in the fake cluster during the run. */
export interface KubeObject {
  kind: string;
  /** Empty for cluster-scoped kinds such as Namespace. */
  namespace: string;
  name: string;
  manifest: Record<string, unknown>;
  /** Step that last applied it. */
  step: string;
  /** A Deployment's earlier versions, oldest first (what `rollout undo` goes back to). */
  history?: Record<string, unknown>[];
}

export interface JobRunResult {
  /** "skipped" only when the job-level `if:` is false. */
  conclusion: "success" | "failure" | "skipped";
  steps: StepResult[];
  /** Every fake-tool call, in the order the calls finished (a pipeline's reader ends after its writer). */
  calls: ToolCall[];
  /** Concatenation of what the steps wrote to $GITHUB_STEP_SUMMARY. */
  summary: string;
  /** Evaluated job `outputs:`. */
  outputs: Record<string, string>;
  /** Final state of the fake cluster, sorted by kind, namespace, name. */
  kubeObjects: KubeObject[];
}

/**
 * The workflow, job and step keys that change whether or how a run script runs (`if:`, `shell:`,
 * `working-directory:`, `continue-on-error:`, `container:` …). The generated deploy has none of
 * them, so each is reported at its own line rather than read past: a pwsh script read as bash, or
 * a path read from the wrong folder, would otherwise import as something the team never ran.
 */
import { isMap, isScalar, type Node, type Pair, type YAMLMap } from "yaml";

type LineOf = (node: unknown) => number;
type Report = (line: number, message: string, fix?: string) => void;
type NotCarried = (line: number, message: string, kind?: string, detail?: string) => void;

/** Where a run script runs, from `defaults.run` of the workflow and the job; the nearer one wins. */
export interface RunDefaults {
  shell?: { value: string; line: number };
  workingDirectory?: { value: string; line: number };
}

/** Keys of a job that need no report: what the registry maps, or what the generated job sets itself. */
const JOB_KEYS = new Set(["name", "runs-on", "environment", "needs", "strategy", "steps", "env", "permissions", "outputs", "concurrency", "defaults", "if", "continue-on-error"]);
/** Keys of a step that need no report here (`if:` is reported with what the step does). */
const STEP_KEYS = new Set(["name", "id", "uses", "with", "run", "env", "if", "shell", "working-directory", "continue-on-error"]);
/** Shells whose scripts the importer reads (as bash); `bash -e {0}` and the like count too. */
const BASH = /^(\/(usr\/)?bin\/)?(bash|sh)(\s|$)/;

const MERGE_FIX = "write the merged keys out (an alias of a whole step or job, `- *name`, is read)";
export const SHELL_FIX = "rewrite the step as a bash script, or carry it over by hand (templates/deploy/post-deploy.yml)";

function pairOf(map: YAMLMap, key: string): Pair<Node, Node> | undefined {
  return (map.items as Pair<Node, Node>[]).find((p) => isScalar(p.key) && p.key.value === key);
}

/** `defaults.run` of a workflow or job, over the defaults it inherits. */
export function runDefaults(owner: YAMLMap, inherited: RunDefaults, lineOf: LineOf): RunDefaults {
  const run = owner.getIn(["defaults", "run"], true);
  if (!isMap(run)) return inherited;
  const read = (key: string): { value: string; line: number } | undefined => {
    const p = pairOf(run, key);
    return p && isScalar(p.value) && p.value.value != null ? { value: String(p.value.value), line: lineOf(p.key) } : undefined;
  };
  return { shell: read("shell") ?? inherited.shell, workingDirectory: read("working-directory") ?? inherited.workingDirectory };
}

/**
 * A job condition that only restates the trigger: the workflow's own branch (`github.ref ==
 * 'refs/heads/<branch>'`, `github.ref_name == '<branch>'`), the event (`github.event_name ==
 * 'push'`, `!= 'pull_request'`), the repository (a fork guard), `success()` or `!cancelled()`,
 * joined by `&&` or `||`. The generated jobs guard their branch themselves. Another branch is not
 * a restatement: that job never ran for this workflow's pushes.
 */
function isTriggerGuard(value: unknown, branch: string | undefined): boolean {
  if (typeof value !== "string" || branch === undefined) return false;
  const ref = branch.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const term = new RegExp(
    `^(github\\.ref\\s*==\\s*'refs/heads/${ref}'|github\\.ref_name\\s*==\\s*'${ref}'|github\\.event_name\\s*==\\s*'(push|workflow_dispatch)'|github\\.event_name\\s*!=\\s*'pull_request(_target)?'|github\\.repository(_owner)?\\s*==\\s*'[^']+'|SUCCESS|!\\s*CANCELLED)$`,
  );
  const body = value
    .trim()
    .replace(/^\$\{\{([\s\S]*)\}\}$/, "$1")
    .replace(/\bsuccess\(\)/g, "SUCCESS")
    .replace(/\bcancelled\(\)/g, "CANCELLED")
    // What is left in parentheses is grouping.
    .replace(/[()]/g, " ");
  return body.split(/&&|\|\|/).every((t) => term.test(t.trim()));
}

/** Reports the job keys that change whether it runs; unknown keys are named, not dropped. */
export function readJobKeys(job: YAMLMap, id: string, branch: string | undefined, lineOf: LineOf, unmappable: Report, notCarried: NotCarried): void {
  for (const p of job.items as Pair<Node, Node>[]) {
    const key = isScalar(p.key) ? String(p.key.value) : String(p.key);
    const value = isScalar(p.value) ? p.value.value : p.value?.toJSON();
    const line = lineOf(p.key);
    if (key === "<<") unmappable(line, `job "${id}": the YAML merge key << is not read, so the keys it merges are left out`, MERGE_FIX);
    else if (key === "if" && isTriggerGuard(value, branch))
      notCarried(line, `job "${id}" runs only if ${String(value)}: not carried over; every generated job runs for its environment's branch only (a guard on each job)`, "trigger-guard", String(value));
    else if (key === "if") unmappable(line, `job "${id}" runs only if ${String(value)}; the generated jobs have no conditions`, "remove the condition, or carry the job over by hand");
    else if (key === "continue-on-error" && value !== false) notCarried(line, `job "${id}": continue-on-error is not carried over; the generated deploy fails on any error (the safe side)`, "swallowed-failure", `continue-on-error: ${String(value)}`);
    else if (!JOB_KEYS.has(key)) notCarried(line, `job "${id}": ${key} is not carried over; the generated jobs set their own`, "job-key", key);
  }
}

/**
 * Reports the step keys that change how its run script runs. Returns false when the script is not
 * bash: its commands cannot be read at all, and the caller skips it (it has been reported).
 */
export function readStepKeys(step: YAMLMap, label: string, defaults: RunDefaults, sentry: boolean, lineOf: LineOf, unmappable: Report, notCarried: NotCarried): boolean {
  for (const p of step.items as Pair<Node, Node>[]) {
    const key = isScalar(p.key) ? String(p.key.value) : String(p.key);
    const value = isScalar(p.value) ? p.value.value : p.value?.toJSON();
    const line = lineOf(p.key);
    if (key === "<<") unmappable(line, `${label}: the YAML merge key << is not read, so the keys it merges are left out`, MERGE_FIX);
    // The generated Sentry step continues on error itself.
    else if (key === "continue-on-error" && value !== false && !sentry) notCarried(line, `${label}: continue-on-error is not carried over; the generated deploy fails on any error (the safe side)`, "swallowed-failure", `continue-on-error: ${String(value)}`);
    else if (!STEP_KEYS.has(key)) notCarried(line, `${label}: ${key} is not carried over`, "step-key", key);
  }
  if (step.get("run") === undefined) return true;
  const shellPair = pairOf(step, "shell");
  const shell = shellPair ? { value: String(isScalar(shellPair.value) ? shellPair.value.value : shellPair.value), line: lineOf(shellPair.key) } : defaults.shell;
  const wdPair = pairOf(step, "working-directory");
  const wd = wdPair ? { value: String(isScalar(wdPair.value) ? wdPair.value.value : wdPair.value), line: lineOf(wdPair.key) } : defaults.workingDirectory;
  // The repository root, however it is written.
  if (wd && !/^(\.\/?|\$\{\{\s*github\.workspace\s*\}\}\/?)$/.test(wd.value.trim()))
    unmappable(wd.line, `run scripts run in working-directory ${wd.value}; the generated deploy runs them from the repository root, so their paths would read differently`, "write the paths from the repository root and remove working-directory");
  if (shell && !BASH.test(shell.value.trim())) {
    unmappable(shell.line, `${label} runs with shell: ${shell.value}; the importer reads run scripts as bash only, so this script is not read`, SHELL_FIX);
    return false;
  }
  return true;
}

/**
 * `env:` of a workflow, job or step as a mapping. An expression (`env: ${{ fromJSON(vars.E) }}`)
 * names variables only at run time: reported, and read as no variables rather than its letters.
 */
export function plainEnv(owner: Record<string, any>, node: YAMLMap, what: string, lineOf: LineOf, unmappable: Report): void {
  const env = owner.env as unknown;
  if (env === undefined || env === null || (typeof env === "object" && !Array.isArray(env))) return;
  unmappable(lineOf(pairOf(node, "env")?.key ?? node), `${what}: env is not a mapping (${String(env)}); the importer cannot know which variables it sets`, "write env as a mapping of NAME: value");
  owner.env = undefined;
}

/**
 * Reads workflow YAML into the few fields the harness executes. Values stay unevaluated strings:
 * expressions are evaluated later, per step, when their contexts exist. Unknown keys are ignored
 * (schema validation is the generator's job, via @actions/workflow-parser and actionlint).
 */
import { parseDocument } from "yaml";

export interface RunDefaults {
  shell?: string;
  workingDirectory?: string;
}

export interface StepModel {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  with: Record<string, string>;
  env: Record<string, string>;
  shell?: string;
  workingDirectory?: string;
  continueOnError?: string;
  timeoutMinutes?: string;
}

export interface JobModel {
  id: string;
  if?: string;
  env: Record<string, string>;
  defaults: RunDefaults;
  outputs: Record<string, string>;
  steps: StepModel[];
}

/** The workflow-level settings plus the one job being run. */
export interface WorkflowModel {
  env: Record<string, string>;
  defaults: RunDefaults;
  job: JobModel;
}

export class WorkflowShapeError extends Error {
  override name = "WorkflowShapeError";
}

type Mapping = Record<string, unknown>;

function isMapping(value: unknown): value is Mapping {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** YAML scalars as GitHub sees them in string positions: `node-version: 20` means "20". */
function scalar(value: unknown, where: string): string | undefined {
  if (value === undefined) return undefined;
  if (value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw new WorkflowShapeError(`${where}: expected a scalar, got ${Array.isArray(value) ? "a sequence" : "a mapping"}`);
}

function stringMap(value: unknown, where: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isMapping(value)) throw new WorkflowShapeError(`${where}: expected a mapping (a whole-map expression is not supported)`);
  const result: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) result[key] = scalar(item, `${where}.${key}`) ?? "";
  return result;
}

function runDefaults(value: unknown, where: string): RunDefaults {
  const run = isMapping(value) && isMapping(value.run) ? value.run : {};
  return { shell: scalar(run.shell, `${where}.run.shell`), workingDirectory: scalar(run["working-directory"], `${where}.run.working-directory`) };
}

/** Keys GitHub accepts; anything else is rejected there, so it is rejected here rather than ignored. */
const STEP_KEYS = new Set(["id", "name", "if", "uses", "run", "with", "env", "shell", "working-directory", "continue-on-error", "timeout-minutes"]);
const JOB_KEYS = new Set([
  "name", "needs", "permissions", "runs-on", "environment", "concurrency", "outputs", "env", "defaults", "if", "steps",
  "timeout-minutes", "strategy", "continue-on-error", "container", "services", "uses", "with", "secrets", "snapshot",
]);

function rejectUnknownKeys(value: Mapping, known: ReadonlySet<string>, where: string): void {
  const unknown = Object.keys(value).filter((key) => !known.has(key));
  if (unknown.length > 0) {
    throw new WorkflowShapeError(`${where}: unknown key ${unknown.map((k) => `"${k}"`).join(", ")} (known: ${[...known].join(", ")})`);
  }
}

function readStep(value: unknown, where: string): StepModel {
  if (!isMapping(value)) throw new WorkflowShapeError(`${where}: a step must be a mapping`);
  rejectUnknownKeys(value, STEP_KEYS, where);
  const step: StepModel = {
    id: scalar(value.id, `${where}.id`),
    name: scalar(value.name, `${where}.name`),
    if: scalar(value.if, `${where}.if`),
    uses: scalar(value.uses, `${where}.uses`),
    run: scalar(value.run, `${where}.run`),
    with: stringMap(value.with, `${where}.with`),
    env: stringMap(value.env, `${where}.env`),
    shell: scalar(value.shell, `${where}.shell`),
    workingDirectory: scalar(value["working-directory"], `${where}.working-directory`),
    continueOnError: scalar(value["continue-on-error"], `${where}.continue-on-error`),
    timeoutMinutes: scalar(value["timeout-minutes"], `${where}.timeout-minutes`),
  };
  if ((step.uses === undefined) === (step.run === undefined)) {
    throw new WorkflowShapeError(`${where}: a step needs exactly one of uses: or run:`);
  }
  return step;
}

function readJob(id: string, value: unknown): JobModel {
  const where = `jobs.${id}`;
  if (!isMapping(value)) throw new WorkflowShapeError(`${where}: a job must be a mapping`);
  rejectUnknownKeys(value, JOB_KEYS, where);
  if (value.uses !== undefined) throw new WorkflowShapeError(`${where}: reusable-workflow jobs (uses:) are not supported`);
  if (!Array.isArray(value.steps)) throw new WorkflowShapeError(`${where}.steps: expected a sequence`);
  return {
    id,
    if: scalar(value.if, `${where}.if`),
    env: stringMap(value.env, `${where}.env`),
    defaults: runDefaults(value.defaults, `${where}.defaults`),
    outputs: stringMap(value.outputs, `${where}.outputs`),
    steps: value.steps.map((step, i) => readStep(step, `${where}.steps[${i}]`)),
  };
}

/** Only the requested job is read, so an unsupported shape in another job does not get in the way. */
export function readWorkflow(text: string, jobId: string): WorkflowModel {
  const document = parseDocument(text, { uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new WorkflowShapeError(`workflow YAML: ${document.errors.map((e) => e.message).join("; ")}`);
  }
  const root: unknown = document.toJS();
  if (!isMapping(root) || !isMapping(root.jobs)) throw new WorkflowShapeError("workflow: expected a mapping with jobs:");
  if (!(jobId in root.jobs)) {
    throw new WorkflowShapeError(`no job "${jobId}" (jobs: ${Object.keys(root.jobs).sort().join(", ")})`);
  }
  return {
    env: stringMap(root.env, "env"),
    defaults: runDefaults(root.defaults, "defaults"),
    job: readJob(jobId, root.jobs[jobId]),
  };
}

/** The `run:` scripts of a generated workflow, each named by job and step, for the linters. */
import { parse } from "yaml";

export interface RunScript {
  /** `<job id> / <step name>` */
  where: string;
  script: string;
}

/**
 * Every `run:` of every job. Expressions are replaced by a placeholder word, as GitHub would put
 * a value there before bash runs; the generator's own rule is that there are none.
 */
export function runScripts(workflowText: string): RunScript[] {
  const doc = parse(workflowText) as { jobs: Record<string, { steps: { name: string; run?: string }[] }> };
  return Object.entries(doc.jobs).flatMap(([jobId, job]) =>
    job.steps.flatMap((step) => (step.run === undefined ? [] : [{ where: `${jobId} / ${step.name}`, script: step.run.replace(/\$\{\{[\s\S]*?\}\}/g, "EXPRESSION_PLACEHOLDER") }])),
  );
}

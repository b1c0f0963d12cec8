/** DeployPlan + templates -> the workflow object of one environment. */
import { CHANGES_JOB_ID, DEPLOY_AFTER_AFFECTED_IF, RETAG_JOB_ID, buildOutput, fullBuildInput, renderChangesJob, renderRetagJob } from "./affected.ts";
import type { DeployPlan } from "../plan/plan.ts";
import type { PinTable } from "./pins.ts";
import { renderBuildJob } from "./build-job.ts";
import { DEPLOY_JOB_ID, renderDeployJob } from "./deploy-job.ts";
import { shardsOf } from "../plan/shards.ts";
import type { Templates } from "./templates.ts";
import { PREREQUISITES_JOB_ID, renderPrerequisitesJob } from "./cluster-jobs.ts";
import { deployConcurrency } from "./rollback-workflow.ts";
import type { Job, Workflow } from "./workflow.ts";

export function renderWorkflow(plan: DeployPlan, pins: PinTable, templates: Templates): Workflow {
  const jobs: Record<string, Job> = {};
  // An environment that builds nothing (only off-the-shelf images) has no build job to wait for.
  const shards = shardsOf(plan.builds);
  const affected = plan.affectedBuilds && shards.length > 0;
  if (affected) jobs[CHANGES_JOB_ID] = renderChangesJob(plan, pins);
  for (const shard of shards)
    jobs[shard.jobId] = renderBuildJob(plan, pins, shard, affected ? { jobId: CHANGES_JOB_ID, output: buildOutput(shard.index) } : undefined);
  if (affected) jobs[RETAG_JOB_ID] = renderRetagJob(plan, pins);
  const needs = affected ? [CHANGES_JOB_ID, ...shards.map((s) => s.jobId), RETAG_JOB_ID] : shards.map((s) => s.jobId);
  // Alongside the builds and the services: only the ingress waits for the prerequisites.
  jobs[PREREQUISITES_JOB_ID] = renderPrerequisitesJob(plan, pins, templates);
  const kept = affected ? `\${{ needs.${CHANGES_JOB_ID}.outputs.retag }}` : undefined;
  jobs[DEPLOY_JOB_ID] = renderDeployJob(plan, pins, templates, needs, affected ? DEPLOY_AFTER_AFFECTED_IF : undefined, kept);
  for (const [id, job] of Object.entries(jobs)) jobs[id] = onDeployBranchOnly(job, plan.branch);
  return {
    name: plan.workflowName,
    on: { push: { branches: [plan.branch] }, workflow_dispatch: affected ? { inputs: fullBuildInput } : null },
    // Nothing by default; each job asks for what it needs.
    permissions: {},
    // One deploy of an environment at a time; a newer push waits instead of cancelling a
    // deploy half-way through its phases.
    concurrency: deployConcurrency(plan),
    defaults: { run: { shell: "bash" } },
    jobs,
  };
}

/**
 * `workflow_dispatch` runs on whatever branch the user picks in the "Run workflow" menu; without
 * this guard a feature branch could deploy with the environment's credentials. Every job gets
 * it, because a job whose `if` tests only `!cancelled()` would still run after skipped needs.
 */
function onDeployBranchOnly(job: Job, branch: string): Job {
  // Pushes are already filtered by `on.push.branches` (which may be a pattern such as
  // `release/**`); only a manual run needs the exact branch.
  const guard = `github.event_name != 'workflow_dispatch' || github.ref == 'refs/heads/${branch.replace(/'/g, "''")}'`;
  const { name, needs, if: condition, ...rest } = job;
  return { name, ...(needs ? { needs } : {}), if: condition ? `(${guard}) && (${condition})` : guard, ...rest };
}

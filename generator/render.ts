/** DeployPlan + templates -> the workflow object of one environment. */
import type { DeployPlan } from "./plan.ts";
import type { PinTable } from "./pins.ts";
import { BUILD_JOB_ID, renderBuildJob } from "./render-build.ts";
import { DEPLOY_JOB_ID, renderDeployJob } from "./render-deploy.ts";
import type { Templates } from "./templates.ts";
import type { Job, Workflow } from "./workflow.ts";

export function renderWorkflow(plan: DeployPlan, pins: PinTable, templates: Templates): Workflow {
  const jobs: Record<string, Job> = {};
  // An environment that builds nothing (only off-the-shelf images) has no build job to wait for.
  if (plan.builds.length > 0) jobs[BUILD_JOB_ID] = renderBuildJob(plan, pins);
  jobs[DEPLOY_JOB_ID] = renderDeployJob(plan, pins, templates, plan.builds.length > 0 ? [BUILD_JOB_ID] : []);
  return {
    name: plan.workflowName,
    on: { push: { branches: [plan.branch] }, workflow_dispatch: null },
    // Nothing by default; each job asks for what it needs.
    permissions: {},
    // One deploy of an environment at a time; a newer push waits instead of cancelling a
    // deploy half-way through its phases.
    concurrency: { group: `deploy-${plan.environment}`, "cancel-in-progress": false },
    defaults: { run: { shell: "bash" } },
    jobs,
  };
}

/**
 * The cluster prerequisites (from templates/) run in their own job, alongside the builds and the
 * services, and gate only what needs them: the ingress (admission webhook, issuers), applied at
 * the end of the same job.
 */
import { jobPermissions } from "./azure.ts";
import { clusterSteps } from "./deploy-job.ts";
import type { DeployPlan } from "../plan/plan.ts";
import type { PinTable } from "./pins.ts";
import { script } from "./shell.ts";
import { runnerCommand } from "./support-paths.ts";
import type { Templates } from "./templates.ts";
import type { Job } from "./workflow.ts";

export const PREREQUISITES_JOB_ID = "prerequisites";

export function renderPrerequisitesJob(plan: DeployPlan, pins: PinTable, templates: Templates): Job {
  return {
    name: "Cluster prerequisites and ingress",
    "runs-on": "ubuntu-latest",
    environment: plan.githubEnvironment,
    permissions: jobPermissions(plan.azureLogin),
    "timeout-minutes": 30,
    env: { NAMESPACE: plan.namespace },
    steps: [
      ...clusterSteps(plan, pins),
      ...templates.clusterPrerequisites,
      { name: `Apply ingress ${plan.ingressManifest}`, run: script([runnerCommand("ingress", plan)]) },
    ],
  };
}

/**
 * The manual rollback workflow of an environment (`<workflow>-rollback.yml`): redeploys the images
 * and manifests of a previous release (a commit of the environment's branch) without building, in
 * dependency order, in the same GitHub environment and concurrency group as the deploy. The
 * runner (`deploy.mjs redeploy`) refuses a release whose images are not all in the registry.
 */
import { clusterCredentialsSteps, jobPermissions, registryLoginSteps } from "./azure.ts";
import { deployTimeoutMinutes, manifestVariablesEnv } from "./deploy-job.ts";
import type { DeployPlan } from "../plan/plan.ts";
import type { PinTable } from "./pins.ts";
import { script } from "./shell.ts";
import { runnerCommand } from "./support-paths.ts";
import { type Workflow, checkoutStep, secretExpr } from "./workflow.ts";

export const RELEASE_INPUT = "release";

export function rollbackWorkflowFile(plan: DeployPlan): string {
  return plan.workflowFile.replace(/\.(ya?ml)$/, "-rollback.$1");
}

/** The concurrency group of the environment's deploy: a rollback never runs beside a deploy. */
export function deployConcurrency(plan: DeployPlan): { group: string; "cancel-in-progress": boolean } {
  return { group: `deploy-${plan.environment}`, "cancel-in-progress": false };
}

export function renderRollbackWorkflow(plan: DeployPlan, pins: PinTable): Workflow {
  const branch = plan.branch.replace(/'/g, "''");
  const [, ...registryLogin] = registryLoginSteps(plan, pins);
  return {
    name: `${plan.workflowName}: roll back to a release`,
    on: {
      workflow_dispatch: {
        inputs: {
          [RELEASE_INPUT]: { description: `Commit SHA of a previous deploy of ${plan.branch} to redeploy (its images must still be in the registry)`, type: "string", required: true },
        },
      },
    },
    permissions: {},
    concurrency: deployConcurrency(plan),
    defaults: { run: { shell: "bash" } },
    jobs: {
      rollback: {
        name: `Roll ${plan.environment} back to \${{ inputs.${RELEASE_INPUT} }}`,
        // Only from the environment's branch: its history holds the releases it deployed.
        if: `github.ref == 'refs/heads/${branch}'`,
        "runs-on": "ubuntu-latest",
        environment: plan.githubEnvironment,
        permissions: jobPermissions(plan.azureLogin),
        "timeout-minutes": deployTimeoutMinutes(plan),
        env: { NAMESPACE: plan.namespace },
        steps: [
          checkoutStep(pins, { fetchDepth: 0 }),
          ...registryLogin,
          ...clusterCredentialsSteps(plan, pins),
          {
            name: `Redeploy the release's images and manifests (rollback: ${plan.rollback})`,
            env: { ...manifestVariablesEnv(plan), ACR_SERVER: secretExpr(plan.containerRegistry.loginServerSecret), RELEASE: `\${{ inputs.${RELEASE_INPUT} }}` },
            run: script([runnerCommand("redeploy", plan)]),
          },
        ],
      },
    },
  };
}

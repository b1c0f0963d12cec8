/**
 * The generated files beside the workflows: each environment's rollback workflow, its data file,
 * and the runner bundle they all run. Data and bundle carry the same banner as a workflow (as `//`
 * comments), so `--check` classifies their drift and finds their orphans exactly like a workflow's.
 */
import type { DeployPlan } from "../plan/plan.ts";
import { deployData, deployDataText } from "./deploy-data.ts";
import { sha16, withBanner, workflowYaml } from "./emit.ts";
import type { PinTable } from "./pins.ts";
import { renderRollbackWorkflow, rollbackWorkflowFile } from "./rollback-workflow.ts";
import { RUNNER_FILE, dataFileOf } from "./support-paths.ts";

/** What the bundle's banner names as its source. */
export const RUNNER_SOURCES = "generator/runner/";

export interface SupportFile {
  path: string;
  content: string;
  environment: string;
  kind: "workflow" | "support";
}

export function supportFiles(plans: readonly DeployPlan[], pins: PinTable, runnerBundle: string, configFile: string, inputsHash: string): SupportFile[] {
  const files: SupportFile[] = [];
  for (const plan of plans) {
    files.push({
      path: rollbackWorkflowFile(plan),
      environment: plan.environment,
      kind: "workflow",
      content: withBanner(workflowYaml(renderRollbackWorkflow(plan, pins), pins), { configFile, inputsHash }),
    });
    files.push({ path: dataFileOf(plan), environment: plan.environment, kind: "support", content: withBanner(deployDataText(deployData(plan, pins, configFile)), { configFile, inputsHash, comment: "//" }) });
  }
  // The bundle depends on the runner's sources only: a registry edit must not rewrite it, and every
  // registry of a repository generates the same bytes (so none sees another's copy as drift or orphan).
  files.push({
    path: RUNNER_FILE,
    environment: "",
    kind: "support",
    content: withBanner(runnerBundle, { configFile: RUNNER_SOURCES, inputsHash: sha16(runnerBundle), comment: "//", editHint: `${RUNNER_SOURCES} (this is its esbuild bundle)` }),
  });
  return files;
}

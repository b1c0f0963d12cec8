/**
 * Where the generated support files live: the runner bundle (one per repository, the same bytes
 * for every registry) and one data file per workflow, named after it (workflow files are unique in
 * a repository, environment names only within one registry).
 */
export const SUPPORT_DIR = ".github/deploy";
export const RUNNER_FILE = `${SUPPORT_DIR}/deploy.mjs`;

export function dataFileOf(plan: { workflowFile: string }): string {
  const stem = plan.workflowFile.slice(plan.workflowFile.lastIndexOf("/") + 1).replace(/\.ya?ml$/, "");
  return `${SUPPORT_DIR}/${stem}.jsonc`;
}

/** `node .github/deploy/deploy.mjs <command> .github/deploy/<workflow>.jsonc` */
export function runnerCommand(command: string, plan: { workflowFile: string }): string {
  return `node ${RUNNER_FILE} ${command} ${dataFileOf(plan)}`;
}

/** Where the generated support files live: the runner bundle and one data file per environment. */
export const SUPPORT_DIR = ".github/deploy";
export const RUNNER_FILE = `${SUPPORT_DIR}/deploy.mjs`;

export function dataFileOf(plan: { environment: string }): string {
  return `${SUPPORT_DIR}/${plan.environment}.jsonc`;
}

/** `node .github/deploy/deploy.mjs <command> .github/deploy/<environment>.jsonc` */
export function runnerCommand(command: string, plan: { environment: string }): string {
  return `node ${RUNNER_FILE} ${command} ${dataFileOf(plan)}`;
}

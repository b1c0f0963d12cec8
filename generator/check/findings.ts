/** What `--check` says about a drifting file in the registry's terms; part of the JSON schema. */

export type DriftFindingCode =
  | "DRIFT_YAML_INVALID"
  | "DRIFT_EDITED_LINES"
  | "DRIFT_ACTION_PIN"
  | "DRIFT_MATRIX_MISSING_SERVICE"
  | "DRIFT_MATRIX_EXTRA_SERVICE"
  | "DRIFT_SECRET_GROUP_NOT_CREATED"
  | "DRIFT_SECRET_KEY_NOT_CREATED"
  | "DRIFT_SECRET_KEY_EXTRA"
  | "DRIFT_SENTRY_RELEASE_MISSING"
  | "DRIFT_SENTRY_DEPLOY_MISSING"
  | "DRIFT_SERVICE_NOT_APPLIED"
  | "DRIFT_DEPLOY_ORDER"
  | "DRIFT_CRONJOBS_NOT_APPLIED"
  | "DRIFT_JOB_NOT_APPLIED"
  | "DRIFT_ROLLOUT_WAIT_MISSING";

export interface DriftFinding {
  code: DriftFindingCode;
  /** One line, prefixed with the file's name, e.g. `deploy-aks.yml: Sentry release missing for "billing-service"`. */
  message: string;
  /** 1-based line in the committed file, when the finding has one place. */
  line?: number;
  /** 1-based column, with `line`. */
  column?: number;
}

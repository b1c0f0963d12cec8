/**
 * The subset of the GitHub Actions workflow model we generate. Objects are built with keys in a
 * fixed order (the order GitHub's docs use), which the YAML writer keeps.
 * https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions
 */
import type { PinTable } from "./pins.ts";

export interface Step {
  name: string;
  id?: string;
  if?: string;
  uses?: string;
  with?: Record<string, string | number | boolean>;
  env?: Record<string, string>;
  run?: string;
  "continue-on-error"?: boolean;
  "timeout-minutes"?: number;
}

export interface Job {
  name: string;
  needs?: string[];
  if?: string;
  "runs-on": string;
  environment?: string;
  permissions: Record<string, "read" | "write">;
  "timeout-minutes"?: number;
  strategy?: { "fail-fast": boolean; matrix: Record<string, unknown> };
  env?: Record<string, string>;
  outputs?: Record<string, string>;
  steps: Step[];
}

export interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  concurrency?: { group: string; "cancel-in-progress": boolean };
  defaults?: { run: { shell: string } };
  jobs: Record<string, Job>;
}

/** `${{ secrets.NAME }}` */
export function secretExpr(name: string): string {
  return `\${{ secrets.${name} }}`;
}

/** A `uses:` step pinned to a commit SHA; the version goes into a trailing comment when rendered. */
export function usesPinned(pins: PinTable, action: string): string {
  const pin = pins[action];
  if (!pin) throw new Error(`bug: action ${action} has no pin`);
  return `${action}@${pin.sha}`;
}

/** `fetchDepth: 0` fetches the whole history (the change detection diffs against an older deploy). */
export function checkoutStep(pins: PinTable, options: { fetchDepth?: number } = {}): Step {
  // The job token is not left in .git/config for later steps to read.
  return {
    name: "Check out",
    uses: usesPinned(pins, "actions/checkout"),
    with: { "persist-credentials": false, ...(options.fetchDepth !== undefined ? { "fetch-depth": options.fetchDepth } : {}) },
  };
}

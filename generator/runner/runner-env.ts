/** What every runner command receives: its data, the environment, a process runner and output sinks. */
import { appendFileSync, readFileSync } from "node:fs";
import type { DeployData } from "./data.ts";
import type { Run } from "./process.ts";

export interface RunnerContext {
  data: DeployData;
  env: Readonly<Record<string, string | undefined>>;
  run: Run;
  log(line: string): void;
  /** Appends Markdown to the job summary (when the runner provides one). */
  summary(markdown: string): void;
  /** Appends `name=value` lines to the step outputs. */
  output(lines: readonly string[]): void;
  /** Puts a folder on PATH for the job's later steps. */
  addPath(dir: string): void;
}

export function runnerContext(data: DeployData, run: Run): RunnerContext {
  const env = process.env;
  return {
    data,
    env,
    run,
    log: (line) => process.stdout.write(`${line}\n`),
    summary: (markdown) => {
      if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, markdown);
    },
    output: (lines) => {
      if (env.GITHUB_OUTPUT) appendFileSync(env.GITHUB_OUTPUT, lines.map((l) => `${l}\n`).join(""));
    },
    addPath: (dir) => {
      if (env.GITHUB_PATH) appendFileSync(env.GITHUB_PATH, `${dir}\n`);
    },
  };
}

/** The VERSION file's text without whitespace, as the build job reads it. */
export function readVersion(versionFile: string): string {
  return readFileSync(versionFile, "utf8").replace(/\s/g, "");
}

/** The deployed tag of a commit: `{sha}` and `{version}` filled in. */
export function tagFor(pattern: string, sha: string, version: string): string {
  return pattern.replaceAll("{sha}", sha).replaceAll("{version}", version);
}

/** A Markdown table cell. */
export function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

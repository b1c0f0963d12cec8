/** Runs the CLI in this process against a temporary repository: fast enough for tables of cases. */
import { main } from "../../generator/cli.ts";
import type { TempRepo } from "../support/temp-repo.ts";

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runIn(repo: TempRepo, args: string[]): Promise<Run> {
  const out = { stdout: "", stderr: "" };
  const code = await main([...args, "--config", repo.configPath], {
    cwd: repo.dir,
    env: { NO_COLOR: "1" },
    isTTY: false,
    stdout: (t) => void (out.stdout += t),
    stderr: (t) => void (out.stderr += t),
  });
  return { code, ...out };
}

/** The one JSON document a `--format json` run printed (throws when it printed none, or more). */
export function jsonDocument(run: Run): { status: string; diagnostics: { code: string; file: string; message: string }[]; drift?: { path: string; kind: string; findings: { code: string; message: string }[] }[] } {
  return JSON.parse(run.stdout);
}

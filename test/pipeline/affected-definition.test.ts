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

/** The step with one line of its script replaced; throws if the line is not there (a stale test). */
function withScript(from: string, to: string): Step {
  expect(step.run).toContain(from);
  return { ...step, run: step.run!.replace(from, to) };
}

describe("build definition", () => {
  test("GIVEN the staging workflow WHEN reading its data file THEN each service carries the definition computed from the rendered build step", () => {
    const generated = generateWorkflows();
    const workflow = parseWorkflowText(generated.get(STAGING)!);
    const generatedStep = workflow.jobs.build!.steps.find((s) => s.name === BUILD_STEP_NAME)!;
    expect(generatedStep.run).toBe(step.run);
    const data = parseDeployData(generated.get(".github/deploy/deploy-staging.jsonc")!);
    for (const [name, definition] of definitions(plan, step)) {
      expect(definition).toMatch(new RegExp(`^${name}@[0-9a-f]{16}$`));
      expect(data.builds.find((b) => b.entry.name === name)!.definition).toBe(definition);
    }
  });

  test.each([
    { case: "another docker build target", from: "--target production", to: "--target runtime" },
    { case: "an added docker build flag", from: "--target production", to: "--target production --pull" },
    { case: "a changed tag rule", from: 'docker push "${image}:${GITHUB_SHA}"', to: 'docker push "${image}:sha-${GITHUB_SHA}"' },
    { case: "a changed build-argument loop", from: "done <<< \"$BUILD_ARGS\"", to: "done <<< \"$BUILD_ARGS\"\ndocker_args+=(--no-cache)" },
  ])("GIVEN two plans differing only in the build step's script ($case) WHEN computing definitions THEN every service's definition differs", ({ from, to }) => {
    expectAllDiffer(definitions(plan, step), definitions(plan, withScript(from, to)));
  });

  test("GIVEN a build step with an added environment key WHEN computing definitions THEN every service's definition differs", () => {
    expectAllDiffer(definitions(plan, step), definitions(plan, { ...step, env: { ...step.env, DOCKER_BUILDKIT: "1" } }));
  });

  test("GIVEN the environment's image tags changed WHEN computing definitions THEN every service's definition differs", () => {
    const retagged = { ...plan, imageTags: [...plan.imageTags, "edge"] };
    expectAllDiffer(definitions(plan, step), definitions(retagged, renderedBuildStep(retagged, pins)));
  });

  test("GIVEN one service gains a secret build argument WHEN computing definitions THEN only its definition changes, though the shared build step's environment gained a key", () => {
    const registry = structuredClone(defaultRegistry);
    const corporate = registry.services.find((s) => s.name === "corporate")!;
    corporate.buildArgs = { ...corporate.buildArgs, CORPORATE_ONLY_TOKEN: { secret: "CORPORATE_ONLY_TOKEN" } };
    const edited = stagingPlan(registry);
    const editedStep = renderedBuildStep(edited, pins);
    expect(Object.keys(editedStep.env!)).toContain("CORPORATE_ONLY_TOKEN");
    const before = definitions(plan, step);
    const after = definitions(edited, editedStep);
    const changed = [...before.keys()].filter((name) => before.get(name) !== after.get(name));
    expect(changed).toEqual(["corporate"]);
  });

  test("GIVEN the same registry rendered twice WHEN computing definitions THEN they are equal (a deploy with no change re-tags)", () => {
    expect(definitions(stagingPlan(), renderedBuildStep(stagingPlan(), pins))).toEqual(definitions(plan, step));
  });
});

/**
 * Scale: GitHub runs at most 256 jobs per matrix, so a registry with more built services gets
 * several build jobs that the deploy needs. A synthetic registry of 1,000 services must generate
 * workflows GitHub's own parser accepts.
 */
import { describe, expect, test } from "vitest";
import { shardsOf } from "../../generator/plan/shards.ts";
import { validateWorkflow } from "../../generator/render/validate.ts";
import { parseDeployData } from "../../generator/runner/data.ts";
import { syntheticRegistry } from "../bench/synthetic-registry.ts";
import { PRODUCTION, STAGING, generateWorkflows, parseWorkflowText } from "./generated.ts";

describe("shardsOf", () => {
  test.each([
    { items: 17, sizes: [17], ids: ["build"] },
    { items: 256, sizes: [256], ids: ["build"] },
    { items: 257, sizes: [129, 128], ids: ["build-1", "build-2"] },
    { items: 998, sizes: [250, 250, 249, 249], ids: ["build-1", "build-2", "build-3", "build-4"] },
    { items: 0, sizes: [], ids: [] },
  ])("GIVEN $items built services WHEN sharding THEN shards are $sizes, in declared order", ({ items, sizes, ids }) => {
    const list = Array.from({ length: items }, (_, i) => i);
    const shards = shardsOf(list);
    expect(shards.map((s) => s.items.length)).toEqual(sizes);
    expect(shards.map((s) => s.jobId)).toEqual(ids);
    expect(shards.flatMap((s) => s.items)).toEqual(list);
  });
});

describe.each([
  { mode: "affected builds", affectedBuilds: true },
  { mode: "full builds", affectedBuilds: false },
])("1,000 services ($mode)", ({ affectedBuilds }) => {
  const files = generateWorkflows(syntheticRegistry(1000, { affectedBuilds }));

  test.each([STAGING, PRODUCTION])("GIVEN the synthetic registry WHEN %s is generated THEN GitHub's workflow parser accepts it", async (file) => {
    expect(await validateWorkflow(file, files.get(file)!)).toEqual([]);
  });

  test("GIVEN 998 built services WHEN generated THEN there are 4 build jobs of at most 256, every service in exactly one, and the deploy needs them all", () => {
    const doc = parseWorkflowText(files.get(STAGING)!);
    const buildJobs = Object.keys(doc.jobs).filter((id) => id.startsWith("build"));
    expect(buildJobs).toEqual(["build-1", "build-2", "build-3", "build-4"]);
    expect(doc.jobs.deploy!.needs).toEqual(affectedBuilds ? ["changes", ...buildJobs, "retag"] : buildJobs);
    const namesPerShard = buildJobs.map((id) => {
      const matrix = doc.jobs[id]!.strategy!.matrix.service;
      if (!affectedBuilds) return (matrix as { name: string }[]).map((e) => e.name);
      expect(matrix).toBe(`\${{ fromJSON(needs.changes.outputs.${id}) }}`);
      // The data file assigns each service its shard.
      const data = parseDeployData(files.get(".github/deploy/deploy-staging.jsonc")!);
      const shard = Number(id.slice("build-".length));
      return data.builds.filter((b) => b.shard === shard).map((b) => String(b.entry.name));
    });
    for (const names of namesPerShard) expect(names.length).toBeLessThanOrEqual(256);
    const all = namesPerShard.flat();
    expect(all.length).toBe(998);
    expect(new Set(all).size).toBe(998);
    if (affectedBuilds) expect(Object.keys(doc.jobs.changes!.outputs!)).toEqual(["base", "base-version", "retag", ...buildJobs]);
  });
});

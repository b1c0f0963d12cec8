/**
 * The merge of two environments grows near-linearly with the number of deploy phases: it was
 * cubic (500 phases 2.4 s, 1,000 11 s, 2,000 80 s). GIVEN/WHEN/THEN on synthetic facts: one
 * service per phase, both environments in the same order (the hand-written step sequence kept).
 */
import { describe, expect, it } from "vitest";
import { mergeWorkflows } from "../../generator/import/merge.ts";
import type { WorkflowFacts } from "../../generator/import/read-workflow.ts";

function facts(file: string, phases: number, offset: number): WorkflowFacts {
  const names = Array.from({ length: phases }, (_, i) => `svc-${String(i).padStart(5, "0")}`);
  return {
    file,
    jobIds: [{ id: "deploy", line: 1 }],
    builds: names.map((name, i) => ({ name, path: `services/${name}`, line: i + 10 })),
    buildArgs: {},
    imageTags: ["{sha}"],
    secretGroups: [],
    manifestVariables: [],
    namespace: "ns",
    containerRegistry: { nameSecret: "ACR_NAME", loginServerSecret: "ACR_LOGIN_SERVER" },
    cluster: { resourceGroupSecret: "RG", nameSecret: "CLUSTER" },
    manifestsRoot: "infra/k8s",
    branch: file.includes("aks") ? "main" : "staging",
    ingress: { path: "ingress.yaml", line: 2 },
    // Staging swaps each pair of neighbours, so every phase has an order difference to report.
    phases: names.map((_, i) => [names[offset && i % 2 === 0 && i + 1 < names.length ? i + 1 : offset && i % 2 === 1 ? i - 1 : i]!]),
    deployed: Object.fromEntries(names.map((name, i) => [name, { name, manifestsDir: name, cronjobs: [], jobs: [], swallowed: [], awaited: [name], line: i + 1000, timeoutSeconds: 180 }])),
    templateCovered: [],
    diagnostics: [],
    accounted: new Set(),
  };
}

const time = (phases: number): number => {
  const inputs = [
    { name: "production", workflowFile: ".github/workflows/deploy-aks.yml", facts: facts("deploy-aks.yml", phases, 0) },
    { name: "staging", workflowFile: ".github/workflows/deploy-staging.yml", facts: facts("deploy-staging.yml", phases, 1) },
  ];
  const start = performance.now();
  const merged = mergeWorkflows(inputs);
  const ms = performance.now() - start;
  expect(merged.registry.services).toHaveLength(phases);
  return ms;
};

describe("merge scale", () => {
  it("GIVEN 500 and 4,000 deploy phases WHEN merged THEN eight times the phases takes well under sixty-four times as long, and 4,000 phases under 5 s", () => {
    time(200); // warm-up (JIT)
    const small = time(500);
    const large = time(4000);
    expect(large).toBeLessThan(15_000); // measured 0.6-1.2 s; the bound catches a return to quadratic (60 s for 1,000 phases), not a slow machine
    expect(large / Math.max(small, 1)).toBeLessThan(30);
    if (process.env.IMPORT_BENCH) for (const n of [500, 1000, 2000, 5000]) console.log(`merge of ${n} phases: ${Math.round(time(n))} ms`);
  }, 120_000);
});

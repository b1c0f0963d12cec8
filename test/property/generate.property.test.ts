/**
 * Invariants over random valid registries: the workflows pass GitHub's parser, generation is
 * deterministic, --check passes right after gen, and any edit of a generated file is drift.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findDrift } from "../../generator/check/check.ts";
import { validateWorkflow } from "../../generator/render/validate.ts";
import { generateFrom } from "../support/repo.ts";
import { arbitraryRegistry } from "./arbitrary-registry.ts";

const RUNS = 60;

describe("random valid registries", () => {
  it("GIVEN any valid registry WHEN generated THEN there are no errors and every file passes GitHub's parser", async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryRegistry, async (registry) => {
        const result = generateFrom(registry);
        expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
        // Per environment a deploy workflow, a rollback workflow and a data file; one runner bundle.
        expect(result.files.length).toBe(3 * Object.keys(registry.environments).length + 1);
        for (const f of result.files) if (f.kind !== "support") expect(await validateWorkflow(f.path, f.content)).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  it("GIVEN any valid registry WHEN generated twice THEN the output is byte-identical and check right after gen finds nothing", () => {
    fc.assert(
      fc.property(arbitraryRegistry, (registry) => {
        const first = generateFrom(registry);
        const second = generateFrom(structuredClone(registry));
        expect(second.files).toEqual(first.files);
        const disk = new Map(first.files.map((f) => [f.path, f.content]));
        expect(findDrift(second.files, disk, [...disk.keys()])).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  it("GIVEN a generated file WHEN any one character is changed THEN check reports drift for that file", () => {
    fc.assert(
      fc.property(arbitraryRegistry, fc.nat(), fc.constantFrom("x", "#", " ", "\t", "0"), (registry, where, ch) => {
        const { files } = generateFrom(registry);
        const target = files[where % files.length]!;
        const at = where % target.content.length;
        fc.pre(target.content[at] !== ch && target.content[at] !== "\r");
        const edited = target.content.slice(0, at) + ch + target.content.slice(at + 1);
        // A trailing-newline edit at the very end is normalised away by design; skip it.
        fc.pre(edited.replace(/\n?$/, "\n") !== target.content);
        const disk = new Map(files.map((f) => [f.path, f.path === target.path ? edited : f.content]));
        const drift = findDrift(files, disk, [...disk.keys()]);
        expect(drift.map((d) => d.path)).toEqual([target.path]);
      }),
      { numRuns: RUNS * 3 },
    );
  });
});

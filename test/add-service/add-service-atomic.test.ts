/**
 * add-service writes the registry, the scaffold and the workflows as one: GIVEN generation fails
 * only at the last step (GitHub's parser rejects a generated workflow) WHEN add-service runs THEN
 * exit 3 and every file is untouched, the registry included, with no temporary file left.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Diagnostic } from "../../generator/diagnostics.ts";
import { REPO } from "../support/repo.ts";
import { registryCopy, snapshotTree } from "../support/temp-repo.ts";

afterEach(() => {
  vi.doUnmock("../../generator/render/validate.ts");
  vi.resetModules();
});

function repoCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), "gen-add-service-atomic-"));
  writeFileSync(join(dir, "services.config.ts"), registryCopy(readFileSync(join(REPO, "services.config.ts"), "utf8")));
  cpSync(join(REPO, "templates"), join(dir, "templates"), { recursive: true });
  mkdirSync(join(dir, ".github", "workflows"), { recursive: true });
  for (const w of ["deploy-aks.yml", "deploy-staging.yml"]) cpSync(join(REPO, ".github/workflows", w), join(dir, ".github/workflows", w));
  return dir;
}

describe("add-service when generation fails in validation", () => {
  it("GIVEN GitHub's parser rejects the regenerated workflows WHEN add-service runs THEN exit 3 naming the file, and the registry, scaffold and workflows are untouched", async () => {
    const seen: string[] = [];
    vi.doMock("../../generator/render/validate.ts", () => ({
      // Templates are valid here; only the generated workflows are rejected.
      validateTemplate: async (): Promise<Diagnostic[]> => [],
      validateWorkflow: async (file: string, text: string): Promise<Diagnostic[]> => {
        seen.push(file);
        // The rejection is real only for the deploy workflows, whose deploy step now counts the new service.
        return text.includes("Deploy 20 services")
          ? [{ code: "WORKFLOW_INVALID", severity: "error", message: "GitHub's workflow parser rejects the generated file: injected", file, line: 1, column: 1 }]
          : [];
      },
    }));
    const { main } = await import("../../generator/cli.ts");
    const dir = repoCopy();
    const before = snapshotTree(dir);
    const out = { stdout: "", stderr: "" };
    const io = { cwd: dir, env: { NO_COLOR: "1" }, isTTY: false, stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t) };

    const code = await main(["add-service", "payments-service", "--kind", "backend", "--secrets", "stripe-secrets", "--config", join(dir, "services.config.ts"), "--root", dir], io);

    expect(code).toBe(3);
    // Every regenerated workflow is validated (the rollback workflows are stale too: the registry changed).
    expect(seen.sort()).toEqual([".github/workflows/deploy-aks-rollback.yml", ".github/workflows/deploy-aks.yml", ".github/workflows/deploy-staging-rollback.yml", ".github/workflows/deploy-staging.yml"]);
    expect(out.stderr).toContain(".github/workflows/deploy-aks.yml:1:1: GitHub's workflow parser rejects the generated file: injected [WORKFLOW_INVALID]");
    expect(out.stderr).toContain("nothing was written");
    expect(out.stdout).toBe("");
    // Same files, same contents: no registry entry, no Dockerfile or manifests, no temporary registry copy.
    expect(snapshotTree(dir)).toEqual(before);
  });
});

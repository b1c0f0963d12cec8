/**
 * Round trip of the real hand-written pair: import -> registry -> `gen` (the real CLI) -> the
 * generated workflows do what the originals did: same services built, same build arguments per
 * environment, same secret keys, same Sentry services, same manifests applied, same rollouts
 * awaited, and every "a is ready before b is applied" of the originals still holds.
 */
import { readFileSync, existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { REPO } from "../support/repo.ts";
import { HANDWRITTEN, read, repoWithHandwritten, runCli, type CliResult } from "./cli.ts";
import { semanticsOf, type Semantics } from "./semantic.ts";
import { parseDeployData } from "../../generator/runner/data.ts";

const SHARED = resolve(REPO, "../shared/fixtures/handwritten");
const FILES = ["deploy-aks.yml", "deploy-staging.yml"] as const;

describe("import of the real hand-written pair", () => {
  let dir: string;
  let imported: CliResult;
  let generated: CliResult;
  const originals = {} as Record<(typeof FILES)[number], Semantics>;
  const results = {} as Record<(typeof FILES)[number], Semantics>;

  beforeAll(() => {
    dir = repoWithHandwritten(HANDWRITTEN);
    for (const f of FILES) originals[f] = semanticsOf(read(dir, `.github/workflows/${f}`));
    imported = runCli(dir, ["import", "--production", ".github/workflows/deploy-aks.yml", "--staging", ".github/workflows/deploy-staging.yml"]);
    // The originals are not generated files: gen replaces them only with --force.
    generated = runCli(dir, ["--force", "--config", join(dir, "services.config.ts"), "--root", dir]);
    for (const f of FILES) results[f] = semanticsOf(read(dir, `.github/workflows/${f}`), undefined, parseDeployData(read(dir, `.github/deploy/${f.replace(/\.yml$/, ".jsonc")}`)));
  });

  it.runIf(existsSync(SHARED))("GIVEN the shared fixtures WHEN compared with the test copies THEN they are the same files", () => {
    for (const f of [...FILES, "README.md"]) expect(readFileSync(join(HANDWRITTEN, f), "utf8")).toBe(readFileSync(join(SHARED, f), "utf8"));
  });

  it("GIVEN the pair WHEN imported THEN it exits 0, writes a registry that gen accepts, and --check passes", () => {
    expect(imported.stderr).toBe("");
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain("Wrote services.config.ts: 16 services (14 built), 6 secret groups, environments production, staging.");
    expect(generated).toMatchObject({ code: 0 });
    expect(generated.stdout).toContain("wrote .github/workflows/deploy-aks.yml\n");
    expect(generated.stdout).toContain("wrote .github/workflows/deploy-staging.yml\n");
    expect(runCli(dir, ["--check", "--config", join(dir, "services.config.ts"), "--root", dir]).code).toBe(0);
  });

  it("GIVEN the originals WHEN the semantic extractor reads them THEN it sees what they do (the extractor is not blind)", () => {
    const prod = originals["deploy-aks.yml"];
    expect(prod.built).toHaveLength(14);
    expect(prod.buildArgs.portal).toEqual({
      NEXT_PUBLIC_API_URL: "https://api.splits.network/api",
      NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: "${{ secrets.SPLITS_CLERK_PUBLISHABLE_KEY }}",
      SENTRY_AUTH_TOKEN: "${{ secrets.SENTRY_AUTH_TOKEN }}",
    });
    expect(originals["deploy-staging.yml"].buildArgs.candidate!.NEXT_PUBLIC_APP_URL).toBe("https://staging.applicant.network");
    expect(Object.keys(prod.secretKeys)).toHaveLength(6);
    expect(prod.sentry).toHaveLength(11);
    expect(prod.rollouts).toHaveLength(16);
    expect(prod.order).toContain("portal<candidate");
    expect(originals["deploy-staging.yml"].order).not.toContain("portal<candidate");
  });

  describe.each(FILES)("%s", (file) => {
    it("GIVEN the generated workflow WHEN compared with the original THEN services, build args, secrets, Sentry, manifests and rollouts are the same", () => {
      const [before, after] = [originals[file], results[file]];
      expect(after.built).toEqual(before.built);
      expect(after.buildArgs).toEqual(before.buildArgs);
      expect(after.secretKeys).toEqual(before.secretKeys);
      expect(after.sentry).toEqual(before.sentry);
      expect(after.applied).toEqual(before.applied);
      expect(after.rollouts).toEqual(before.rollouts);
    });

    it("GIVEN the generated workflow WHEN its deploy order is compared THEN every ordering of the original still holds", () => {
      const missing = originals[file].order.filter((o) => !results[file].order.includes(o));
      expect(missing).toEqual([]);
    });
  });

  it("GIVEN the pair WHEN imported THEN every disagreement is printed with file:line and marked in the registry", () => {
    const out = imported.stdout;
    expect(out).toMatch(/deploy-aks\.yml:279: warning: deploy order differs before "candidate": production waits for "portal", the other environment does not \[IMPORT_ENVIRONMENTS_DIFFER\]/);
    expect(out).toMatch(/deploy-staging\.yml:173: warning: `kubectl apply -f infra\/k8s\/cert-manager\/cluster-issuer\.yaml` runs in staging only/);
    expect(out).toMatch(/deploy-staging\.yml:247: warning: the same services deploy in one phase but in a different order/);
    expect(out).toMatch(/deploy-staging\.yml:246: warning: file test \(10 loop iterations\)/);
    const registry = read(dir, "services.config.ts");
    expect(registry).toMatch(/\/\/ import: deploy order differs before "candidate"[^\n]*\n\s*\{\n\s*name: "candidate"/);
    expect(registry).toContain("const importedSecretGroups = [");
    expect(registry).toContain('NEXT_PUBLIC_API_URL: "https://{domains.api}/api"');
    // the staging-only order (frontends together) became production's (one after the other)
    expect(results["deploy-staging.yml"].order).toContain("portal<candidate");
  });
});

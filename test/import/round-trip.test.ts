/**
 * Round trip of the real hand-written pair: import -> registry -> `gen` (the real CLI) -> the
 * generated workflows do what the originals did: same services built, same build arguments per
 * environment, same secret keys, same Sentry services, same manifests applied, same rollouts
 * awaited, and every "a is ready before b is applied" of the originals still holds.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { parse } from "yaml";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { REPO } from "../support/repo.ts";
import { HANDWRITTEN, read, repoWithHandwritten, runCli, type CliResult } from "./cli.ts";
import { semanticsOf, type Semantics } from "./semantic.ts";
import type { Registry } from "../../generator/config/registry.ts";
import { runJob } from "../harness/run-job.ts";
import { makeWorkdir } from "../harness/test-workdir.ts";
import { deployCheckout, fakeSecrets, offline, planFor, pushContext } from "../pipeline/support.ts";
import { parseDeployData } from "../../generator/runner/data.ts";

const SHARED = resolve(REPO, "../shared/fixtures/handwritten");
const FILES = ["deploy-aks.yml", "deploy-staging.yml"] as const;

describe("import of the real hand-written pair", () => {
  let dir: string;
  let imported: CliResult;
  let generated: CliResult;
  const originals = {} as Record<(typeof FILES)[number], Semantics>;
  const results = {} as Record<(typeof FILES)[number], Semantics>;

  /** Service kinds of the imported registry (read from its source: `kind: "…"` or the helper used). */
  const kinds = (): Map<string, string> => {
    const source = read(dir, "services.config.ts");
    const out = new Map<string, string>();
    for (const m of source.matchAll(/\b(backend|gateway|frontend)\("([a-z0-9-]+)"/g)) out.set(m[2]!, m[1]!);
    for (const m of source.matchAll(/name: "([a-z0-9-]+)", kind: "([a-z]+)"/g)) out.set(m[1]!, m[2]!);
    return out;
  };

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

    it("GIVEN the generated workflow WHEN its deploy order is compared THEN every ordering of the original between different kinds still holds", () => {
      const kindOf = kinds();
      const acrossKinds = originals[file].order.filter((o) => {
        const [a, b] = o.split("<") as [string, string];
        return kindOf.get(a) !== kindOf.get(b);
      });
      expect(acrossKinds.length).toBeGreaterThan(10);
      expect(acrossKinds.filter((o) => !results[file].order.includes(o))).toEqual([]);
    });
  });

  it.each([
    { environment: "production", file: "deploy-aks.yml", branch: "main" },
    { environment: "staging", file: "deploy-staging.yml", branch: "staging" },
  ] as const)("GIVEN the generated $file WHEN its deploy job runs in the harness THEN it is green, in fewer phases than the hand-written deploy steps", { timeout: 240_000 }, async ({ environment, file, branch }) => {
    const registry = ((await import(join(dir, "services.config.ts"))) as { default: Registry }).default;
    const plan = planFor(registry, environment);
    const generatedFiles = new Map(readdirSync(join(dir, ".github/deploy")).map((f) => [`.github/deploy/${f}`, read(dir, `.github/deploy/${f}`)] as const));
    const checkout = makeWorkdir(deployCheckout(plan, generatedFiles));
    const text = offline(read(dir, `.github/workflows/${file}`));
    const result = await runJob({ workflowText: text, jobId: "deploy", workdir: checkout.dir, context: pushContext(branch, fakeSecrets(text), { needs: { build: { result: "success", outputs: {} } } }) });
    checkout.remove();
    expect(result.steps.filter((s) => s.outcome !== "success").map((s) => `${s.name}: ${s.stdout}${s.stderr}`)).toEqual([]);
    expect(result.conclusion).toBe("success");
    // Hand-written: one step per apply or wait; generated: one step per phase.
    const handWritten = (parse(readFileSync(join(HANDWRITTEN, file), "utf8")) as { jobs: Record<string, { steps: { run?: string }[] }> }).jobs;
    const deploySteps = Object.values(handWritten).flatMap((j) => j.steps).filter((s) => /kubectl (apply -f "?infra\/k8s\/\$?[\w{}-]+\/|rollout status)/.test(s.run ?? "") && !/ingress|cert-manager/.test(s.run ?? "")).length;
    expect(plan.phases.length).toBeLessThan(deploySteps);
  });

  it("GIVEN the pair WHEN imported THEN every disagreement is printed with file:line and marked in the registry", () => {
    const out = imported.stdout;
    // Frontends typed one after another are not evidence (no manifests were read): listed, each with the line that restores it.
    expect(out).toMatch(/Hand-written orderings not kept[^\n]*\n\s*candidate \(\.github\/workflows\/deploy-aks\.yml:279, after portal\): dependsOn: \["api-gateway","portal"\]/);
    expect(out).toMatch(/deploy-staging\.yml:173: warning: `kubectl apply -f infra\/k8s\/cert-manager\/cluster-issuer\.yaml` runs in staging only/);
    expect(out).toMatch(/deploy-staging\.yml:247: warning: the same services deploy in one phase but in a different order/);
    expect(out).toMatch(/deploy-staging\.yml:246: warning: file test \(10 loop iterations\)/);
    const registry = read(dir, "services.config.ts");
    expect(registry).toMatch(/frontend\("candidate", \{\s*dependsOn: \["api-gateway"\]/);
    expect(registry).toContain("const importedSecretGroups = [");
    expect(registry).toContain('NEXT_PUBLIC_API_URL: "https://{domains.api}/api"');
    // production's frontends one after another became staging's (together, after the gateway)
    expect(results["deploy-aks.yml"].order).not.toContain("portal<candidate");
  });
});

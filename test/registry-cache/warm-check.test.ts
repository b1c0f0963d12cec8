/**
 * The warm --check (generator/warm-check.ts) answers from the record of the last passing check
 * only while every input that check read is unchanged: any change to the registry's files, a
 * template, a workflow or the workflows folder gets the full check and its verdict.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeTempRepo } from "../support/temp-repo.ts";
import { runCli } from "./traced.ts";

const AKS = ".github/workflows/deploy-aks.yml";
const IN_SYNC = "Deploy workflows match the registry.\n";

function checkedRepo(edit: (registry: string) => string = (r) => r, files: Record<string, string> = {}) {
  const repo = makeTempRepo();
  repo.write("services.config.ts", edit(repo.read("services.config.ts")));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(repo.dir, dirname(rel)), { recursive: true });
    repo.write(rel, text);
  }
  const cache = mkdtempSync(join(tmpdir(), "gen-cache-"));
  const dir = join(cache, "gen-workflows");
  const run = (args: string[] = ["--check"]) => runCli([...args, "--config", repo.configPath], repo.dir, cache);
  // The repository's node_modules/.cache when it has a node_modules, else the per-user cache.
  const records = () => [dir, join(repo.dir, "node_modules", ".cache", "gen-workflows")].flatMap((d) => (existsSync(d) ? readdirSync(d).filter((f) => f.startsWith("check-")) : []));
  return { repo, dir, run, records };
}

describe("the warm check", () => {
  it("GIVEN a passing check WHEN nothing changed THEN the next check answers from its record, without loading the registry", () => {
    const { dir, run, records } = checkedRepo();
    expect(run()).toMatchObject({ code: 0, stdout: IN_SYNC, stderr: "" });
    expect(records()).toHaveLength(1);
    // Without its compiled modules the registry could only load by compiling again, which would put them back.
    rmSync(join(dir, "modules"), { recursive: true });
    for (const f of readdirSync(dir).filter((f) => f.startsWith("registry-"))) rmSync(join(dir, f));
    expect(run()).toMatchObject({ code: 0, stdout: IN_SYNC, stderr: "" });
    expect(existsSync(join(dir, "modules"))).toBe(false);
  });

  const changes: { name: string; change: (repo: ReturnType<typeof checkedRepo>["repo"]) => void; code: number }[] = [
    { name: "a registry edit", change: (r) => r.write("services.config.ts", r.read("services.config.ts").replace("rolloutTimeoutSeconds: 120", "rolloutTimeoutSeconds: 152")), code: 1 },
    { name: "an edit to a file the registry imports", change: (r) => r.write("registry/secrets.ts", 'export const domainSecrets = ["supabase-secrets"];\n'), code: 1 },
    { name: "a template edit", change: (r) => r.write("templates/deploy/post-deploy.yml", r.read("templates/deploy/post-deploy.yml").replace("Show deployment status", "Show the deployment status")), code: 1 },
    { name: "a hand edit to a workflow", change: (r) => r.write(AKS, r.read(AKS).replace("name: Show deployment status", "name: Show deployment state")), code: 1 },
    { name: "a deleted workflow", change: (r) => rmSync(join(r.dir, AKS)), code: 1 },
    { name: "a generated workflow left behind under another name", change: (r) => r.write(".github/workflows/deploy-old.yml", r.read(AKS)), code: 1 },
    { name: "an unrelated hand-written workflow", change: (r) => r.write(".github/workflows/lint.yml", "name: lint\non: push\njobs: {}\n"), code: 0 },
  ];
  for (const c of changes)
    it(`GIVEN a passing check WHEN ${c.name} follows THEN the next check is the full check's verdict (exit ${c.code})`, () => {
      const { repo, run } = checkedRepo((r) => r.replace('const domainSecrets = ["supabase-secrets", "internal-service-secrets"];', 'import { domainSecrets } from "./registry/secrets.ts";'), {
        "registry/secrets.ts": 'export const domainSecrets = ["supabase-secrets", "internal-service-secrets"];\n',
      });
      expect(run().code).toBe(0);
      c.change(repo);
      const r = run();
      expect(r.code, r.stdout + r.stderr).toBe(c.code);
      if (c.code === 1) expect(r.stdout).toContain("out of sync");
    });

  it("GIVEN a registry that reads the environment WHEN its check passes THEN nothing is recorded (its value may change with no file changing)", () => {
    const { run, records } = checkedRepo((r) => r.replace('namespace: "splits-network",', 'namespace: process.env.NAMESPACE ?? "splits-network",'));
    expect(run().code).toBe(0);
    expect(records()).toEqual([]);
  });

  it("GIVEN a registry that imports a package WHEN its check passes THEN nothing is recorded (the package's files are not hashed)", () => {
    const { run, records } = checkedRepo((r) => r.replace('const domainSecrets = ["supabase-secrets", "internal-service-secrets"];', 'import { domainSecrets } from "acme-constants";'), {
      "node_modules/acme-constants/package.json": JSON.stringify({ name: "acme-constants", type: "module", exports: "./index.js" }),
      "node_modules/acme-constants/index.js": 'export const domainSecrets = ["supabase-secrets", "internal-service-secrets"];\n',
    });
    expect(run().code).toBe(0);
    expect(records()).toEqual([]);
  });

  it("GIVEN a damaged record WHEN the check runs THEN it runs in full and is right", () => {
    const { repo, dir, run, records } = checkedRepo();
    expect(run().code).toBe(0);
    const record = join(dir, records()[0]!);
    writeFileSync(record, readFileSync(record, "utf8").replace("Deploy workflows match", "Workflows match"));
    expect(run()).toMatchObject({ code: 0, stdout: IN_SYNC });
    repo.write(AKS, "");
    expect(run().code).toBe(1);
  });

  it("GIVEN passing checks in text and JSON WHEN each repeats THEN each replays its own output", () => {
    const { run, records } = checkedRepo();
    const json = run(["--check", "--format", "json"]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ command: "check", status: "in-sync" });
    expect(run()).toMatchObject({ code: 0, stdout: IN_SYNC });
    expect(records()).toHaveLength(2);
    expect(run(["--check", "--format", "json"])).toEqual(json);
  });
});

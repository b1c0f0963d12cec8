/**
 * Hostile and unusual input never crashes the import or gives exit 3: each case below once did
 * (the hostile-input run of issue 8). The import either maps the construct, leaves a value out and
 * says so at the workflow's file:line, or refuses with a usage error; whatever it writes, gen loads.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, type Outcome, pair, repoWith } from "./inline-repo.ts";

const IMPORT = ["import", "--production", ".github/workflows/deploy-aks.yml", "--staging", ".github/workflows/deploy-staging.yml"];

/** Import, then gen: never exit 3; when a registry was written, gen accepts it. */
async function importAndGenerate(dir: string): Promise<{ imported: Omit<Outcome, "dir">; generated?: Omit<Outcome, "dir"> }> {
  const imported = await cli(dir, IMPORT);
  if (imported.code > 1) return { imported };
  const generated = await cli(dir, ["--force", "--config", join(dir, "services.config.ts"), "--root", dir]);
  return { imported, generated };
}

const APPLY = "kubectl apply -f infra/k8s/api/ -n api";
const WAIT = (timeout: string) => `kubectl rollout status deployment/api --timeout=${timeout} -n api`;

describe("import of hostile input", () => {
  it.each([
    ["a timeout of 99999s", [APPLY, WAIT("99999s")].join("\n"), /rolloutTimeoutSeconds/],
    ["a timeout of 0s", [APPLY, WAIT("0s")].join("\n"), /rolloutTimeoutSeconds/],
    ["a folder with a shell default", ["kubectl apply -f infra/k8s/${SVC:-api}/ -n api", WAIT("120s")].join("\n"), undefined],
    ["an image tag defaulting to the commit", ["export IMAGE_TAG=${GITHUB_SHA:-latest}", "envsubst < infra/k8s/api/deployment.yaml > /tmp/x.yaml", APPLY, WAIT("120s")].join("\n"), undefined],
    ["a replica count default", ['export REPLICAS="${REPLICAS:-2}"', "envsubst < infra/k8s/api/deployment.yaml > /tmp/x.yaml", APPLY, WAIT("120s")].join("\n"), undefined],
    ["a command substitution as a manifest variable", ["export BUILT_AT=$(date +%s)", "envsubst < infra/k8s/api/deployment.yaml > /tmp/x.yaml", APPLY, WAIT("120s")].join("\n"), /value \$\(date \+%s\) is computed by a command/],
    ["an unterminated quote", ['echo "deploying', APPLY].join("\n"), /shell syntax error/],
    ["a for without done", ["for s in api; do", "  kubectl apply -f infra/k8s/$s/"].join("\n"), /shell syntax error/],
    ["only echo lines", ['echo "hello"', 'echo "world"'].join("\n"), /prints log output/],
  ])("GIVEN %s WHEN imported and generated THEN neither exits 3 and what cannot be expressed is reported", async (_name, script, reported) => {
    const dir = repoWith(pair(script));
    const { imported, generated } = await importAndGenerate(dir);
    expect(imported.code, imported.stderr).toBeLessThan(2);
    expect(generated?.code, generated?.stderr).toBe(0);
    if (reported) expect(imported.stdout).toMatch(reported);
    expect(imported.stdout).not.toContain("{REPLICAS:-2}");
  });

  it.each([
    ["an upper-case namespace", { namespace: "Api" }, /namespace/],
    ["an upper-case folder", { folder: "Api" }, /left out of the registry: services\[0\]/],
    ["an upper-case secret group", { group: "Api-Secrets" }, /secretGroups/],
  ])("GIVEN %s WHEN imported THEN it is reported at the workflow, never exit 3", async (_name, options, reported) => {
    const folder = (options as { folder?: string }).folder ?? "api";
    const dir = repoWith(pair([`kubectl apply -f infra/k8s/${folder}/ -n api`, `kubectl rollout status deployment/${folder} -n api`].join("\n"), options));
    const { imported, generated } = await importAndGenerate(dir);
    expect(imported.code, imported.stderr).not.toBe(3);
    const text = imported.stdout + imported.stderr;
    expect(text).toMatch(reported);
    expect(text).toMatch(/\.github\/workflows\/deploy-(aks|staging)\.yml:\d+/);
    if (generated) expect(generated.code, generated.stderr).toBe(0);
  });

  it("GIVEN a YAML alias bomb WHEN imported THEN it is a usage error at its file, nothing is written, not a crash", async () => {
    const bomb = ['x0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]', ...Array.from({ length: 8 }, (_, i) => `x${i + 1}: &a${i + 1} [*a${i}, *a${i}, *a${i}, *a${i}, *a${i}, *a${i}, *a${i}, *a${i}, *a${i}]`)].join("\n");
    const dir = repoWith(pair([APPLY, WAIT("120s")].join("\n"), { extraYaml: bomb }));
    const { imported } = await importAndGenerate(dir);
    expect(imported.code).toBe(2);
    expect(imported.stderr).toMatch(/deploy-aks\.yml:1: the YAML cannot be read: Excessive alias count/);
    expect(existsSync(join(dir, "services.config.ts"))).toBe(false);
  });

  it("GIVEN --production pointing at a folder WHEN imported THEN it is a usage error naming the flag", async () => {
    const dir = repoWith(pair(APPLY));
    const r = await cli(dir, ["import", "--production", ".github/workflows", "--staging", ".github/workflows/deploy-staging.yml"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--production: cannot read \.github\/workflows \(EISDIR\)/);
  });

  it.each([
    ["--root naming no folder", ["--root", "no-such-folder"], /--root: no such folder: no-such-folder/],
    ["--out naming a folder", ["--out", ".github", "--force"], /--out: cannot write \.github \(EISDIR\)/],
  ])("GIVEN %s WHEN imported THEN it is a usage error, nothing written", async (_name, extra, message) => {
    const dir = repoWith(pair(APPLY));
    const r = await cli(dir, [...IMPORT, ...extra]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(existsSync(join(dir, "services.config.ts"))).toBe(false);
  });

  it("GIVEN workflows gen:workflows generated WHEN imported THEN it is a usage error naming their registry", async () => {
    const dir = repoWith(pair([APPLY, WAIT("120s")].join("\n")));
    expect((await importAndGenerate(dir)).generated?.code).toBe(0);
    const again = await cli(dir, [...IMPORT, "--force"]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/--production: \.github\/workflows\/deploy-aks\.yml was generated by gen:workflows from services\.config\.ts: there is nothing to import/);
  });

  it("GIVEN an image tag from git rev-parse WHEN imported THEN it is the commit, not the literal text", async () => {
    const dir = repoWith(pair(["export IMAGE_TAG=$(git rev-parse HEAD)", "envsubst < infra/k8s/api/deployment.yaml > /tmp/x.yaml", APPLY, WAIT("120s")].join("\n")));
    const { imported } = await importAndGenerate(dir);
    expect(imported.code).toBeLessThan(2);
    const registry = (await import("node:fs")).readFileSync(join(dir, "services.config.ts"), "utf8");
    expect(registry).toContain('IMAGE_TAG: "{sha}"');
    expect(registry).not.toContain("git rev-parse");
  });
});

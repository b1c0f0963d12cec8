/**
 * The registry loader through the real CLI: a registry split over local TypeScript, JavaScript
 * and JSON files and importing an installed package loads; what cannot load is a diagnostic with
 * exit 2 (never 3), at the file and line; a broken, stale or unwritable cache is no cache.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeTempRepo, type TempRepo } from "../support/temp-repo.ts";
import { runCli } from "./traced.ts";

const SECRETS_LINE = 'const domainSecrets = ["supabase-secrets", "internal-service-secrets"];';
const MESSAGING_LINE = 'const messaging = ["redis", "rabbitmq"];';

function repoWith(edit: (registry: string) => string, files: Record<string, string> = {}): { repo: TempRepo; cache: string; run: (args: string[]) => ReturnType<typeof runCli> } {
  const repo = makeTempRepo();
  const registry = repo.read("services.config.ts");
  expect(registry).toContain(SECRETS_LINE);
  repo.write("services.config.ts", edit(registry));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(repo.dir, rel, ".."), { recursive: true });
    writeFileSync(join(repo.dir, rel), text);
  }
  const cache = mkdtempSync(join(tmpdir(), "gen-cache-"));
  return { repo, cache, run: (args) => runCli([...args, "--config", repo.configPath], repo.dir, cache) };
}

describe("a registry over several files", () => {
  it("GIVEN constants in a .ts file (imported without extension, typed), a .js file (imported as .js) and a JSON file WHEN --check runs THEN the committed workflows match", () => {
    const { run } = repoWith((r) => r.replace(SECRETS_LINE, 'import { domainSecrets } from "./registry/secrets";\nimport kinds from "./registry/kinds.json";\nvoid kinds;').replace(MESSAGING_LINE, 'import { messaging } from "./registry/messaging.js";'), {
      "registry/secrets.ts": 'import type { Service } from "./types.ts";\nexport const domainSecrets: NonNullable<Service["secrets"]> = ["supabase-secrets", "internal-service-secrets"] satisfies string[];\n',
      "registry/types.ts": "export interface Service { secrets?: string[] }\n",
      "registry/messaging.js": 'export const messaging = ["redis", "rabbitmq"];\n',
      "registry/kinds.json": '{ "kinds": ["backend"] }\n',
    });
    expect(run(["--check"])).toMatchObject({ code: 0, stdout: "Deploy workflows match the registry.\n", stderr: "" });
  });

  it("GIVEN a registry importing an installed package WHEN --check runs THEN the package resolves from the repository's node_modules", () => {
    const { repo, run } = repoWith((r) => r.replace(SECRETS_LINE, 'import { domainSecrets } from "acme-registry-constants";'), {
      "node_modules/acme-registry-constants/package.json": JSON.stringify({ name: "acme-registry-constants", type: "module", exports: "./index.js" }),
      "node_modules/acme-registry-constants/index.js": 'export const domainSecrets = ["supabase-secrets", "internal-service-secrets"];\n',
    });
    expect(run(["--check"])).toMatchObject({ code: 0, stderr: "" });
    // The cache is the repository's own (so that package imports resolve from it).
    expect(readdirSync(join(repo.dir, "node_modules", ".cache", "gen-workflows")).some((f) => f.startsWith("registry-"))).toBe(true);
  });
});

describe("a registry that cannot load: exit 2 with a diagnostic", () => {
  const cases: { name: string; edit: (r: string) => string; files?: Record<string, string>; expected: RegExp }[] = [
    { name: "a syntax error", edit: (r) => r.replace(SECRETS_LINE, "const domainSecrets = [\"supabase-secrets\",, ;"), expected: /^services\.config\.ts:10:\d+: Unexpected token \[CONFIG_LOAD_FAILED\]\n  fix: fix the TypeScript syntax error/m },
    { name: "a missing local file", edit: (r) => r.replace(SECRETS_LINE, 'import { domainSecrets } from "./registry/nope";'), expected: /^services\.config\.ts:10:\d+: cannot find "\.\/registry\/nope" imported by services\.config\.ts \[CONFIG_LOAD_FAILED\]\n  fix: correct the import path/m },
    {
      name: "a syntax error in an imported file",
      edit: (r) => r.replace(SECRETS_LINE, 'import { domainSecrets } from "./registry/secrets.ts";'),
      files: { "registry/secrets.ts": "export const domainSecrets = [\n  'a' 'b'];\n" },
      expected: /^registry\/secrets\.ts:2:\d+: .+\[CONFIG_LOAD_FAILED\]/m,
    },
    {
      name: "a circular import",
      edit: (r) => r.replace(SECRETS_LINE, 'import { domainSecrets } from "./registry/a.ts";'),
      files: { "registry/a.ts": 'import { b } from "./b.ts";\nexport const domainSecrets = [b];\n', "registry/b.ts": 'import { domainSecrets } from "./a.ts";\nexport const b = String(domainSecrets);\n' },
      expected: /circular import between registry files: registry\/a\.ts -> registry\/b\.ts -> registry\/a\.ts \[CONFIG_LOAD_FAILED\]/,
    },
    { name: "a package that is not installed", edit: (r) => r.replace(SECRETS_LINE, 'import { domainSecrets } from "acme-not-installed";'), expected: /the registry imports the package "acme-not-installed", which is not installed \[CONFIG_LOAD_FAILED\]\n  fix: install it/ },
    { name: "code that throws", edit: (r) => r.replace(SECRETS_LINE, 'const domainSecrets: string[] = (() => { throw new Error("no secrets today"); })();'), expected: /the registry threw while loading: no secrets today \[CONFIG_LOAD_FAILED\]/ },
  ];
  for (const c of cases)
    it(`GIVEN ${c.name} WHEN gen and --check run THEN both exit 2 with the diagnostic and nothing is written`, () => {
      const { repo, run } = repoWith(c.edit, c.files);
      const before = repo.snapshot();
      for (const args of [[], ["--check"]]) {
        const r = run(args);
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr).toMatch(c.expected);
      }
      expect(repo.snapshot()).toEqual(before);
    });
});

describe("the cache is never trusted", () => {
  it("GIVEN every cache entry and compiled module damaged after a passing check WHEN the registry changes THEN --check still sees the change, and passes again after gen", () => {
    const { repo, cache, run } = repoWith((r) => r);
    expect(run(["--check"]).code).toBe(0);
    const dir = join(cache, "gen-workflows");
    for (const f of readdirSync(dir, { recursive: true }).map(String)) {
      const path = join(dir, f);
      if (!/\.(json|mjs)$/.test(f)) continue;
      const text = readFileSync(path, "utf8");
      writeFileSync(path, text.replace(/120/g, "121"));
    }
    expect(run(["--check"]).code).toBe(0);
    repo.write("services.config.ts", repo.read("services.config.ts").replace("rolloutTimeoutSeconds: 120", "rolloutTimeoutSeconds: 152"));
    expect(run(["--check"]).code).toBe(1);
    expect(run([]).code).toBe(0);
    expect(repo.read(".github/deploy/deploy-aks.jsonc")).toContain('"timeoutSeconds":152');
    expect(run(["--check"]).code).toBe(0);
  });

  it("GIVEN no cache folder can be written WHEN gen and --check run THEN they work without a cache (exit 0, not 3)", () => {
    const repo = makeTempRepo({ withWorkflows: false });
    const blocker = join(mkdtempSync(join(tmpdir(), "gen-cache-")), "a-file");
    writeFileSync(blocker, "");
    // Every candidate folder is below a regular file (even root cannot create those).
    const env = { HOME: join(blocker, "home"), XDG_CACHE_HOME: join(blocker, "xdg"), TMPDIR: join(blocker, "tmp") };
    const gen = repo.run([], env);
    expect(gen.code, gen.stderr).toBe(0);
    expect(gen.stdout).toContain("wrote .github/workflows/deploy-aks.yml");
    expect(repo.run(["--check"], env)).toMatchObject({ code: 0, stdout: "Deploy workflows match the registry.\n" });
  });
});

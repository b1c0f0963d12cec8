/**
 * The package as a team adopts it: `pnpm pack`, install the tarball into a fresh copy of the
 * fixture monorepo with pnpm and with npm (zero warnings), a registry that imports
 * "gen-workflows" (type-checked, typos rejected), gen, --check, audit and import through the bin, then an
 * upgrade to a second packed version: nothing breaks and no cached answer of the old version is
 * served.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { REPO } from "../support/repo.ts";
import { makeWorkspace, packBumpedCopy, packRepository, run, tarballFiles } from "./pack.ts";

const AKS = ".github/workflows/deploy-aks.yml";
const STAGING = ".github/workflows/deploy-staging.yml";
const TSC = join(REPO, "node_modules", "typescript", "bin", "tsc");

let v1: string;
let v2: string;

beforeAll(() => {
  const packs = mkdtempSync(join(tmpdir(), "gen-workflows-packs-"));
  v1 = packRepository(join(packs, "v1"));
  v2 = packBumpedCopy("0.2.0-upgrade-test", join(packs, "v2"));
}, 120_000);

/** The installed bin, as `pnpm exec` and `npx` find it. */
const bin = (dir: string, args: string[]) => run(join(dir, "node_modules", ".bin", "gen-workflows"), args, dir);

function expectNoWarnings(r: { code: number; stdout: string; stderr: string }): void {
  expect(r.code, r.stderr).toBe(0);
  expect(`${r.stdout}\n${r.stderr}`).not.toMatch(/WARN|ERR_PNPM|npm warn|npm error|deprecated/i);
}

describe("the packed package", () => {
  it("GIVEN the tarball THEN it holds the built CLI, its types and the templates, and no sources, tests, fixtures or source maps", () => {
    const files = tarballFiles(v1);
    expect(files).toContain("package/dist/cli.mjs");
    expect(files).toContain("package/dist/index.mjs");
    expect(files).toContain("package/dist/types/index.d.ts");
    expect(files).toContain("package/templates/deploy/cluster-prerequisites.yml");
    expect(files).toContain("package/templates/scaffold/deployment.yaml");
    expect(files.filter((f) => /\/(test|generator|scripts)\/|\.map$|\.ts$/.test(f) && !f.endsWith(".d.ts"))).toEqual([]);
    expect(files.length).toBeLessThan(60);
    const manifest = JSON.parse(run("tar", ["xzOf", v1, "package/package.json"], REPO).stdout) as { dependencies: Record<string, string> };
    // Everything else is bundled into dist/; ts-morph loads only in the commands that edit TypeScript.
    expect(Object.keys(manifest.dependencies)).toEqual(["ts-morph"]);
  });
});

describe.each(["pnpm", "npm"] as const)("installed with %s", (manager) => {
  it("GIVEN a fresh monorepo WHEN the tarball is installed THEN there are no warnings, the registry type-checks against the package, and gen, --check and audit work through the bin; an upgrade changes nothing", () => {
    const dir = makeWorkspace(manager);
    // One place for the package, as a registry would be: an upgrade is the same name with a new version.
    const tarball = join(mkdtempSync(join(tmpdir(), "gen-workflows-tgz-")), "gen-workflows.tgz");
    const install = (packed: string) => {
      copyFileSync(packed, tarball);
      return manager === "pnpm" ? run("pnpm", ["add", "-D", "--prefer-offline", `file:${tarball}`], dir) : run("npm", ["install", "-D", "--prefer-offline", "--no-audit", "--no-fund", tarball], dir);
    };
    expectNoWarnings(install(v1));

    // The editor's view: the registry is typed by the package, and a typo is an error.
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { module: "nodenext", moduleResolution: "nodenext", target: "es2022", strict: true, noEmit: true }, include: ["*.ts"] }));
    expect(run(process.execPath, [TSC, "-p", "."], dir)).toMatchObject({ code: 0 });
    const registry = readFileSync(join(dir, "services.config.ts"), "utf8");
    writeFileSync(join(dir, "typo.config.ts"), registry.replace('namespace: "shop"', 'namespace: "shop", rolloutTimeout: 120'));
    const typo = run(process.execPath, [TSC, "-p", "."], dir);
    expect(typo.code).not.toBe(0);
    expect(typo.stdout).toMatch(/typo\.config\.ts\(\d+,\d+\): error TS\d+: .*'rolloutTimeout' does not exist/);
    run("rm", ["typo.config.ts"], dir);

    const gen = bin(dir, []);
    expect(gen).toMatchObject({ code: 0, stderr: "" });
    // Both workflows, their rollback workflows, the deploy jobs' data files and the runner bundle.
    expect(gen.stdout.split("\n").filter(Boolean).sort()).toEqual(
      [".github/deploy/deploy-aks.jsonc", ".github/deploy/deploy-staging.jsonc", ".github/deploy/deploy.mjs", ".github/workflows/deploy-aks-rollback.yml", AKS, ".github/workflows/deploy-staging-rollback.yml", STAGING].map((p) => `wrote ${p}`).sort(),
    );
    expect(bin(dir, ["--check"])).toMatchObject({ code: 0, stdout: "Deploy workflows match the registry.\n", stderr: "" });
    // The npx way, as the README says for npm users.
    if (manager === "npm") expect(run("npx", ["--no", "gen-workflows", "--check"], dir)).toMatchObject({ code: 0 });
    const audit = bin(dir, ["audit"]);
    expect(audit.code, audit.stdout + audit.stderr).toBe(0);
    expect(audit.stdout).toContain("audit: 0 errors");
    // The registry cache lives in the user's node_modules/.cache, not inside the installed package.
    expect(readdirSync(join(dir, "node_modules", ".cache", "gen-workflows")).some((f) => f.startsWith("registry-"))).toBe(true);
    expect(existsSync(join(dir, "node_modules", "gen-workflows", "node_modules", ".cache"))).toBe(false);
    const workflows = readFileSync(join(dir, AKS), "utf8");

    // import from the package writes a registry that imports the package by name (not a path into node_modules).
    const handwritten = join(REPO, "test", "fixtures", "handwritten");
    const imported = bin(dir, ["import", "--production", join(handwritten, "deploy-aks.yml"), "--staging", join(handwritten, "deploy-staging.yml"), "--out", "imported.config.ts"]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(readFileSync(join(dir, "imported.config.ts"), "utf8")).toMatch(/^import \{ defineConfig(, type Service)? \} from "gen-workflows";$/m);
    expect(run(process.execPath, [TSC, "-p", "."], dir)).toMatchObject({ code: 0 });
    run("rm", ["imported.config.ts"], dir);

    // Upgrade: a check passes from the new build's own run (not the old build's record), and drift is still found.
    const recordsBefore = readdirSync(join(dir, "node_modules", ".cache", "gen-workflows")).filter((f) => f.startsWith("check-"));
    expectNoWarnings(install(v2));
    expect(JSON.parse(readFileSync(join(dir, "node_modules", "gen-workflows", "package.json"), "utf8")).version).toBe("0.2.0-upgrade-test");
    expect(bin(dir, ["--check"])).toMatchObject({ code: 0, stdout: "Deploy workflows match the registry.\n" });
    const recordsAfter = readdirSync(join(dir, "node_modules", ".cache", "gen-workflows")).filter((f) => f.startsWith("check-"));
    expect(recordsAfter.filter((f) => !recordsBefore.includes(f))).toHaveLength(1);
    writeFileSync(join(dir, "services.config.ts"), registry.replace(`api: "api.shop.example.com"`, `api: "api2.shop.example.com"`));
    const stale = bin(dir, ["--check"]);
    expect(stale.code).toBe(1);
    expect(stale.stdout).toContain(`${AKS} is out of date`);
    expect(bin(dir, [])).toMatchObject({ code: 0 });
    expect(readFileSync(join(dir, AKS), "utf8")).not.toBe(workflows);
    expect(bin(dir, ["--check"])).toMatchObject({ code: 0 });
  });
});

describe.each(["pnpm", "npm"] as const)("init and the pre-commit hook, installed with %s", (manager) => {
  it("GIVEN a fresh monorepo with the package installed WHEN init runs THEN its registry type-checks and generates, and the hook it adds refuses a commit of the registry without the regenerated workflows", () => {
    const dir = makeWorkspace(manager);
    rmSync(join(dir, "services.config.ts"));
    expectNoWarnings(manager === "pnpm" ? run("pnpm", ["add", "-D", "--prefer-offline", `file:${v1}`], dir) : run("npm", ["install", "-D", "--prefer-offline", "--no-audit", "--no-fund", v1], dir));
    const git = (...args: string[]) => run("git", args, dir, { GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" });
    git("init", "-q", "-b", "main");
    writeFileSync(join(dir, ".gitignore"), "node_modules/\n");

    const init = bin(dir, ["init"]);
    expect(init.code, init.stderr).toBe(0);
    const [script, exec] = manager === "pnpm" ? [["pnpm", "gen:workflows"], "pnpm exec gen-workflows"] : [["npm", "run", "gen:workflows", "--"], "npx gen-workflows"];
    expect(init.stdout).toContain(`created    lefthook.yml: pre-commit (lefthook, as the repository has no hook manager) runs \`${exec} --check --staged\``);
    expect(init.stdout).toContain(`2. Generate both workflows: \`${manager === "pnpm" ? "pnpm gen:workflows" : "npm run gen:workflows"}\`.`);
    expect(readFileSync(join(dir, "services.config.ts"), "utf8")).toContain('import { defineConfig } from "gen-workflows";');
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { module: "nodenext", moduleResolution: "nodenext", target: "es2022", strict: true, noEmit: true }, include: ["*.ts"] }));
    expect(run(process.execPath, [TSC, "-p", "."], dir)).toMatchObject({ code: 0 });

    // The next steps, as init printed them: the script it added, then the hook manager it asked for.
    const gen = (...args: string[]) => run(script[0]!, [...script.slice(1), ...args], dir);
    expect(gen()).toMatchObject({ code: 0 });
    expect(gen("--check")).toMatchObject({ code: 0 });
    expect(bin(dir, ["audit"]).stdout).toContain("audit: 0 errors");
    expect(run(join(REPO, "node_modules", ".bin", "lefthook"), ["install"], dir).code).toBe(0);
    git("add", "-A");
    const first = git("commit", "-q", "-m", "Generate the deploy workflows");
    expect(first.code, first.stdout + first.stderr).toBe(0);

    const registry = readFileSync(join(dir, "services.config.ts"), "utf8");
    writeFileSync(join(dir, "services.config.ts"), registry.replace('"0 */6 * * *"', '"0 */7 * * *"'));
    expect(gen().code).toBe(0);
    git("add", "services.config.ts");
    const refused = git("commit", "-m", "registry only");
    expect(refused.code).not.toBe(0);
    expect(refused.stdout + refused.stderr).toContain(
      "To fix: `git add .github/deploy/deploy-production.jsonc .github/deploy/deploy-staging.jsonc .github/workflows/deploy-production-rollback.yml .github/workflows/deploy-production.yml .github/workflows/deploy-staging-rollback.yml .github/workflows/deploy-staging.yml`, then commit.",
    );
    git("add", ".github");
    expect(git("commit", "-q", "-m", "registry and workflows").code).toBe(0);

    // With the index equal to the working tree, the staged check is the plain check: it records
    // (and later replays) the warm answer; with something staged differently it records nothing.
    const cache = join(dir, "node_modules", ".cache", "gen-workflows");
    const records = () => readdirSync(cache).filter((f) => f.startsWith("check-"));
    for (const f of records()) rmSync(join(cache, f));
    expect(bin(dir, ["--check", "--staged"])).toMatchObject({ code: 0, stdout: "Deploy workflows match the registry.\n" });
    expect(records()).toHaveLength(1);
    for (const f of records()) rmSync(join(cache, f));
    writeFileSync(join(dir, "services.config.ts"), registry.replace('"0 */6 * * *"', '"0 */8 * * *"'));
    git("add", "services.config.ts");
    writeFileSync(join(dir, "services.config.ts"), registry.replace('"0 */6 * * *"', '"0 */7 * * *"'));
    expect(bin(dir, ["--check", "--staged"]).code).toBe(1);
    expect(records()).toHaveLength(0);
    git("reset", "-q", "--", "services.config.ts");
    git("checkout", "--", "services.config.ts");

    // Running init again changes nothing.
    const again = bin(dir, ["init"]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("Nothing to do: everything init sets up is already here.");
    expect(git("status", "--porcelain").stdout).toBe("");
  });
});

describe("init with hand-written deploy workflows, installed with pnpm", () => {
  it("GIVEN the hand-written pair in a monorepo with the package installed WHEN init runs THEN it imports them from \"gen-workflows\", and the next steps (--force, --check) pass", () => {
    const dir = makeWorkspace("pnpm");
    rmSync(join(dir, "services.config.ts"));
    mkdirSync(join(dir, ".github", "workflows"), { recursive: true });
    for (const f of ["deploy-aks.yml", "deploy-staging.yml"]) copyFileSync(join(REPO, "test", "fixtures", "handwritten", f), join(dir, ".github", "workflows", f));
    expectNoWarnings(run("pnpm", ["add", "-D", "--prefer-offline", `file:${v1}`], dir));
    const init = bin(dir, ["init"]);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain("created    services.config.ts: imported from .github/workflows/deploy-aks.yml and .github/workflows/deploy-staging.yml");
    expect(init.stdout).toContain("The plan of the imported registry:");
    expect(readFileSync(join(dir, "services.config.ts"), "utf8")).toMatch(/import \{[^}]*defineConfig[^}]*\} from "gen-workflows";/);
    expect(run("pnpm", ["gen:workflows", "--force"], dir)).toMatchObject({ code: 0 });
    expect(run("pnpm", ["gen:workflows", "--check"], dir)).toMatchObject({ code: 0 });
  });
});

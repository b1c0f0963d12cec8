/**
 * `init` through the real CLI in a copy of test/fixtures/monorepo without its registry: a
 * starter registry from the tree (no hand-written workflows) or an import of the hand-written
 * pair, the script, the hook, the sync-check workflow; existing files left alone; a second run
 * changes nothing.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { LAUNCHER, REPO } from "../support/repo.ts";
import { snapshotTree } from "../support/temp-repo.ts";

const FIXTURE = join(REPO, "test", "fixtures", "monorepo");
const HANDWRITTEN = join(REPO, "test", "fixtures", "handwritten");
const PACKAGE_JSON = `{\n    "name": "shop",\n    "private": true,\n    "scripts": {\n        "build": "turbo build"\n    },\n    "devDependencies": {\n        "turbo": "2.0.0"\n    }\n}\n`;

const temps: string[] = [];
afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })));

/** The fixture monorepo as a team has it before adopting the tool: no registry, no workflows. */
function monorepo(options: { handwritten?: boolean; packageJson?: string | false; lockfile?: string } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "gen-init-"));
  temps.push(dir);
  cpSync(FIXTURE, dir, { recursive: true, filter: (src) => !src.endsWith("services.config.ts") });
  if (options.packageJson !== false) writeFileSync(join(dir, "package.json"), options.packageJson ?? PACKAGE_JSON);
  writeFileSync(join(dir, options.lockfile ?? "pnpm-lock.yaml"), "lockfileVersion: '9.0'\n");
  if (options.handwritten) {
    mkdirSync(join(dir, ".github", "workflows"), { recursive: true });
    for (const f of ["deploy-aks.yml", "deploy-staging.yml"]) cpSync(join(HANDWRITTEN, f), join(dir, ".github", "workflows", f));
  }
  return dir;
}

function cli(dir: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [LAUNCHER, ...args], { cwd: dir, encoding: "utf8", env: { PATH: process.env.PATH ?? "", HOME: dir, NO_COLOR: "1" } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe("init without hand-written workflows: a starter registry from the tree", () => {
  it("GIVEN the fixture monorepo WHEN init runs THEN it writes a registry that generates, audits clean, and marks its guesses", () => {
    const dir = monorepo();
    const r = cli(dir, "init");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("created    services.config.ts: starter registry: 5 services from the tree");
    expect(r.stdout).toContain("edited     package.json: added the script \"gen:workflows\": \"gen-workflows\"");
    expect(r.stdout).toContain("created    lefthook.yml: pre-commit (lefthook, as the repository has no hook manager) runs `pnpm exec gen-workflows --check --staged`");
    expect(r.stdout).toContain("created    .github/workflows/workflows-sync.yml");
    expect(r.stdout).toContain("The hook needs lefthook: `pnpm add -D lefthook && pnpm exec lefthook install`.");
    expect(r.stdout).toMatch(/Next:\n {2}1\. Check every `\/\/ init: guessed` line in services\.config\.ts \(`pnpm gen:workflows audit` compares it with the tree\)\.\n {2}2\. Generate both workflows: `pnpm gen:workflows`\.\n {2}3\. Commit: /);

    const registry = snapshotTree(dir).get("services.config.ts")!;
    expect(registry).toContain('kind: "gateway", // init: guessed kind from its name');
    expect(registry).toContain('{ name: "create-invoices", schedule: "0 */6 * * *" },');
    expect(registry).toContain('jobs: [{ name: "backfill-invoices" }],');
    expect(registry).toContain('secrets: ["db-secrets", "stripe-secrets"],');
    expect(registry).toContain('namespace: "shop", // from infra/k8s\'s Namespace');

    expect(cli(dir).code).toBe(0);
    expect(cli(dir, "--check").code).toBe(0);
    const audit = cli(dir, "audit");
    expect(audit.stdout).toContain("audit: 0 errors, 0 warnings");
    expect(audit.code).toBe(0);
  });

  it("GIVEN a package.json with 4-space indentation WHEN init adds the script THEN only that line is added", () => {
    const dir = monorepo();
    cli(dir, "init");
    expect(snapshotTree(dir).get("package.json")).toBe(PACKAGE_JSON.replace('"build": "turbo build"\n', '"build": "turbo build",\n        "gen:workflows": "gen-workflows"\n'));
  });

  it("GIVEN init ran once WHEN it runs again THEN nothing changes and every file is reported as left alone", () => {
    const dir = monorepo();
    expect(cli(dir, "init").code).toBe(0);
    const before = snapshotTree(dir);
    const again = cli(dir, "init");
    expect(again.code).toBe(0);
    expect(snapshotTree(dir)).toEqual(before);
    expect(again.stdout).toContain("Nothing to do: everything init sets up is already here.");
    expect(again.stdout.match(/^left alone /gm)).toHaveLength(4);
  });

  it("GIVEN the sync-check workflow WHEN it is written THEN GitHub's parser accepts it and it runs the check with the repository's package manager on Node 24", () => {
    const dir = monorepo({ lockfile: "package-lock.json" });
    cli(dir, "init");
    const text = snapshotTree(dir).get(".github/workflows/workflows-sync.yml")!;
    const wf = parse(text) as { jobs: { check: { steps: { run?: string; uses?: string; with?: Record<string, string> }[] } }; permissions: unknown };
    expect(wf.permissions).toEqual({ contents: "read" });
    const steps = wf.jobs.check.steps;
    expect(steps.map((s) => s.run).filter(Boolean)).toEqual(["npm ci", "npm run gen:workflows -- --check"]);
    expect(steps.find((s) => s.uses?.startsWith("actions/setup-node@"))?.with?.["node-version"]).toBe("24");
    for (const s of steps) if (s.uses) expect(s.uses).toMatch(/@[0-9a-f]{40}$/);
  });
});

describe("a registry elsewhere than services.config.ts", () => {
  it("GIVEN --config deploy/services.config.ts WHEN init runs THEN the script, the hook and the sync check name it and the root, and the script generates", () => {
    const dir = monorepo();
    const r = cli(dir, "init", "--config", "deploy/services.config.ts");
    expect(r.code, r.stderr).toBe(0);
    const tree = snapshotTree(dir);
    expect(tree.has("deploy/services.config.ts")).toBe(true);
    expect(JSON.parse(tree.get("package.json")!).scripts["gen:workflows"]).toBe("gen-workflows --config deploy/services.config.ts --root .");
    expect(tree.get("lefthook.yml")).toContain("run: pnpm exec gen-workflows --check --staged --config deploy/services.config.ts --root .");
    expect(tree.get("lefthook.yml")).toContain('- "deploy/services.config.ts"');
    expect(tree.get(".github/workflows/workflows-sync.yml")).toContain("run: pnpm gen:workflows --check\n");
    // What the script runs, with this checkout's CLI in place of the installed bin.
    expect(cli(dir, "--config", "deploy/services.config.ts", "--root", ".").code).toBe(0);
    expect(snapshotTree(dir).get(".github/workflows/deploy-production.yml")).toContain("from deploy/services.config.ts. DO NOT EDIT.");
  });
});

describe("what the starter registry guesses", () => {
  it("GIVEN a service folder holding its API and a worker WHEN init runs THEN the service lists both Deployments, and the registry generates and audits clean", () => {
    const dir = monorepo();
    const api = readFileSync(join(dir, "infra", "k8s", "billing-service", "deployment.yaml"), "utf8");
    const worker = api.split("\n---")[0]!.replaceAll("name: billing-service", "name: billing-worker").replaceAll("app: billing-service", "app: billing-worker");
    writeFileSync(join(dir, "infra", "k8s", "billing-service", "worker.yaml"), worker);
    expect(cli(dir, "init").code).toBe(0);
    expect(snapshotTree(dir).get("services.config.ts")!).toContain('deployment: ["billing-service", "billing-worker"],');
    expect(cli(dir).code).toBe(0);
    expect(cli(dir, "audit").stdout).toContain("audit: 0 errors, 0 warnings");
    const data = readdirSync(join(dir, ".github", "deploy")).filter((f) => f.endsWith(".jsonc"));
    expect(data.length).toBeGreaterThan(0);
    for (const f of data) expect(readFileSync(join(dir, ".github", "deploy", f), "utf8"), f).toContain('"deployments":["billing-service","billing-worker"]');
  });

  it("GIVEN a service folder without manifests and a repository on master WHEN init runs THEN both are marked as guesses", () => {
    const dir = monorepo({ packageJson: false });
    mkdirSync(join(dir, "services", "search-service"));
    writeFileSync(join(dir, "services", "search-service", "Dockerfile"), "FROM node:24-alpine AS production\n");
    mkdirSync(join(dir, ".git"));
    writeFileSync(join(dir, ".git", "HEAD"), "ref: refs/heads/master\n");
    expect(cli(dir, "init").code).toBe(0);
    const registry = snapshotTree(dir).get("services.config.ts")!;
    expect(registry).toContain('name: "search-service", // init: guessed deployed, though infra/k8s/search-service/ does not exist yet');
    expect(registry).toContain('branch: "master", // init: guessed branch');
    expect(cli(dir).code).toBe(0);
    expect(cli(dir, "audit").stdout).toContain("AUDIT_DEPLOYMENT_MISSING");
  });
});

describe("init with hand-written deploy workflows: import", () => {
  it("GIVEN the hand-written pair in .github/workflows WHEN init runs THEN it imports them, shows the plan, leaves them alone, and --force then generates", () => {
    const dir = monorepo({ handwritten: true });
    const before = snapshotTree(dir);
    const r = cli(dir, "init");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("created    services.config.ts: imported from .github/workflows/deploy-aks.yml and .github/workflows/deploy-staging.yml");
    expect(r.stdout).toContain("Wrote services.config.ts: 16 services");
    expect(r.stdout).toContain("The plan of the imported registry:");
    expect(r.stdout).toMatch(/production: \.github\/workflows\/deploy-aks\.yml \(branch main, namespace splits-network\)/);
    expect(r.stdout).toContain("2. Replace the hand-written workflows with generated ones: `pnpm gen:workflows --force`.");
    const after = snapshotTree(dir);
    for (const f of [".github/workflows/deploy-aks.yml", ".github/workflows/deploy-staging.yml"]) expect(after.get(f)).toBe(before.get(f));
    expect(after.get("services.config.ts")).toContain("// import:");

    expect(cli(dir, "--force").code).toBe(0);
    expect(cli(dir, "--check").code).toBe(0);
    const again = cli(dir, "init");
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("left alone services.config.ts: exists; init never overwrites it");
  });

  it("GIVEN one hand-written deploy workflow that cannot be paired WHEN init runs THEN exit 2 naming it, and nothing is written", () => {
    const dir = monorepo({ handwritten: true });
    rmSync(join(dir, ".github", "workflows", "deploy-staging.yml"));
    const before = snapshotTree(dir);
    const r = cli(dir, "init");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("found deploy workflows .github/workflows/deploy-aks.yml, but not one production and one staging workflow to import; nothing was written.");
    expect(r.stderr).toContain("`pnpm exec gen-workflows init --production <file> --staging <file>`");
    expect(snapshotTree(dir)).toEqual(before);
  });
});

describe("existing files are reported and left alone", () => {
  it("GIVEN a registry, a gen:workflows script and a sync workflow of the team's own WHEN init runs THEN each is left alone, byte for byte", () => {
    const dir = monorepo({ packageJson: '{"scripts":{"gen:workflows":"node tools/gen.mjs"}}\n' });
    cpSync(join(FIXTURE, "services.config.ts"), join(dir, "services.config.ts"));
    mkdirSync(join(dir, ".github", "workflows"), { recursive: true });
    writeFileSync(join(dir, ".github", "workflows", "workflows-sync.yml"), "name: ours\n");
    const before = snapshotTree(dir);
    const r = cli(dir, "init");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("left alone services.config.ts: exists; init never overwrites it");
    expect(r.stdout).toContain("left alone package.json: it already has a gen:workflows script");
    expect(r.stdout).toContain("left alone .github/workflows/workflows-sync.yml: exists; init never overwrites it");
    const after = snapshotTree(dir);
    for (const [path, text] of before) expect(after.get(path), path).toBe(text);
    expect([...after.keys()].filter((p) => !before.has(p))).toEqual(["lefthook.yml"]);
  });

  it("GIVEN a folder that does not exist WHEN init --root names it THEN a usage error, nothing created", () => {
    const dir = monorepo();
    const r = cli(dir, "init", "--root", "nowhere");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--root nowhere: no such folder");
  });
});

describe("the hook manager the repository already uses", () => {
  it("GIVEN lefthook.yml with a lint job WHEN init runs THEN the check is appended as a second job and the lint job is kept", () => {
    const dir = monorepo();
    const lefthook = "pre-commit:\n  parallel: true\n  jobs:\n    - name: lint\n      run: pnpm lint\n\npre-push:\n  jobs:\n    - run: pnpm test\n";
    writeFileSync(join(dir, "lefthook.yml"), lefthook);
    const r = cli(dir, "init");
    expect(r.stdout).toContain("edited     lefthook.yml: pre-commit (lefthook) runs `pnpm exec gen-workflows --check --staged`");
    const text = snapshotTree(dir).get("lefthook.yml")!;
    expect(text.startsWith("pre-commit:\n  parallel: true\n  jobs:\n    - name: lint\n      run: pnpm lint\n    - name: deploy workflows match the registry\n")).toBe(true);
    expect(text.endsWith("\npre-push:\n  jobs:\n    - run: pnpm test\n")).toBe(true);
    const doc = parse(text) as { "pre-commit": { jobs: { name?: string; run: string; glob?: string[] }[] } };
    expect(doc["pre-commit"].jobs.map((j) => j.run)).toEqual(["pnpm lint", "pnpm exec gen-workflows --check --staged"]);
    expect(doc["pre-commit"].jobs[1]!.glob).toEqual(["services.config.ts", "templates/**", ".github/**"]);
    expect(r.stdout).not.toContain("The hook needs lefthook");
  });

  it("GIVEN lefthook's older `commands:` map WHEN init runs THEN the check is added as one more command", () => {
    const dir = monorepo();
    writeFileSync(join(dir, "lefthook.yml"), "pre-commit:\n  commands:\n    lint:\n      run: pnpm lint\n");
    cli(dir, "init");
    const doc = parse(snapshotTree(dir).get("lefthook.yml")!) as { "pre-commit": { commands: Record<string, { run: string }> } };
    expect(Object.entries(doc["pre-commit"].commands).map(([k, v]) => [k, v.run])).toEqual([["lint", "pnpm lint"], ["deploy-workflows", "pnpm exec gen-workflows --check --staged"]]);
  });

  it("GIVEN a lefthook.yml in flow style WHEN init runs THEN the file is left alone, with the job to paste", () => {
    const dir = monorepo();
    const lefthook = "pre-commit: { jobs: [ { run: pnpm lint } ] }\n";
    writeFileSync(join(dir, "lefthook.yml"), lefthook);
    const r = cli(dir, "init");
    expect(snapshotTree(dir).get("lefthook.yml")).toBe(lefthook);
    expect(r.stdout).toContain("left alone lefthook.yml: add this job to its pre-commit jobs yourself:\n- name: deploy workflows match the registry\n");
  });

  it("GIVEN husky with a pre-commit hook WHEN init runs THEN the check is appended to it", () => {
    const dir = monorepo({ lockfile: "yarn.lock" });
    mkdirSync(join(dir, ".husky"));
    writeFileSync(join(dir, ".husky", "pre-commit"), "npx lint-staged\n");
    const r = cli(dir, "init");
    expect(snapshotTree(dir).get(".husky/pre-commit")).toBe("npx lint-staged\nyarn gen-workflows --check --staged\n");
    expect(r.stdout).toContain("edited     .husky/pre-commit: pre-commit (husky) runs `yarn gen-workflows --check --staged`");
    expect(snapshotTree(dir).has("lefthook.yml")).toBe(false);
  });

  it("GIVEN husky in devDependencies but no .husky/pre-commit WHEN init runs THEN it creates the hook file", () => {
    const dir = monorepo({ packageJson: '{\n  "devDependencies": { "husky": "9.1.7" }\n}\n', lockfile: "package-lock.json" });
    cli(dir, "init");
    expect(snapshotTree(dir).get(".husky/pre-commit")).toBe("npx gen-workflows --check --staged\n");
  });

  it("GIVEN simple-git-hooks in package.json WHEN init runs THEN the check joins its pre-commit command, and the script is added too", () => {
    const pkg = `{\n  "name": "shop",\n  "simple-git-hooks": {\n    "pre-commit": "npx lint-staged"\n  }\n}\n`;
    const dir = monorepo({ packageJson: pkg });
    const r = cli(dir, "init");
    expect(snapshotTree(dir).get("package.json")).toBe(
      `{\n  "name": "shop",\n  "simple-git-hooks": {\n    "pre-commit": "npx lint-staged && pnpm exec gen-workflows --check --staged"\n  },\n  "scripts": {\n    "gen:workflows": "gen-workflows"\n  }\n}\n`,
    );
    expect(r.stdout).toContain("simple-git-hooks installs hooks when told: run `pnpm exec simple-git-hooks` once.");
    const again = cli(dir, "init");
    expect(again.stdout).toContain("left alone package.json: its pre-commit hook already runs gen-workflows");
  });
});

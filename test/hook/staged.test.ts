/**
 * The pre-commit check judges what is being committed (the git index), not the working tree:
 * in a temporary git repository holding the fixture monorepo, with a plain pre-commit hook that
 * runs `--check --staged` through the real CLI.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { AKS, FIXTURE, type GitRepo, makeGitRepo, REGENERATED } from "./git-repo.ts";
import { cpSync } from "node:fs";
import { LAUNCHER } from "../support/repo.ts";
import { spawnSync } from "node:child_process";

const repos: GitRepo[] = [];
afterAll(() => repos.forEach((r) => r.remove()));
function repo(setup?: (dir: string) => void): GitRepo {
  const r = makeGitRepo(setup);
  repos.push(r);
  return r;
}

const SCHEDULE = '"0 */6 * * *"';
const EDIT_A = '"0 */7 * * *"';

describe("the staged check refuses a commit of the registry without its regenerated workflows", () => {
  it("GIVEN a registry edit, gen run, and only services.config.ts staged WHEN committing THEN the hook refuses and says to git add the workflows", () => {
    const r = repo();
    r.installHook();
    r.edit("services.config.ts", SCHEDULE, EDIT_A);
    expect(r.cli().code).toBe(0);
    r.git("add", "services.config.ts");
    // The working tree is in sync: the old check passed this commit.
    expect(r.cli("--check").code).toBe(0);

    const commit = r.git("commit", "-m", "change the invoice schedule");
    expect(commit.code).not.toBe(0);
    // git passes a hook's output on to its own stderr.
    expect(commit.stderr).toContain("Checked what this commit holds (the git index), not the working tree.");
    expect(commit.stderr).toContain(`${AKS} is out of date`);
    expect(commit.stderr).toContain(`fix: the working tree has it regenerated, but the commit holds the old version: \`git add ${AKS}\``);
    expect(commit.stderr).toContain(`To fix: \`git add ${REGENERATED.join(" ")}\`, then commit.`);
    expect(r.git("log", "--oneline").stdout.trim().split("\n")).toHaveLength(1);
  });

  it("GIVEN the registry and both regenerated workflows staged WHEN committing THEN the hook passes", () => {
    const r = repo();
    r.installHook();
    r.edit("services.config.ts", SCHEDULE, EDIT_A);
    r.cli();
    r.git("add", "services.config.ts", ".github");
    const commit = r.git("commit", "-q", "-m", "change the invoice schedule");
    expect(commit.code, commit.stdout + commit.stderr).toBe(0);
    // The index agrees with the working tree here: the fast path, the ordinary check.
    expect(commit.stderr).toContain("Deploy workflows match the registry.");
  });

  it("GIVEN the registry edited and staged but not regenerated WHEN checking the index THEN the index agrees with the working tree, and the fix is gen", () => {
    const r = repo();
    r.edit("services.config.ts", SCHEDULE, EDIT_A);
    r.git("add", "services.config.ts");
    const c = r.cli("--check", "--staged");
    expect(c.code).toBe(1);
    expect(c.stdout).toContain(`${AKS} is out of date`);
    expect(c.stdout.endsWith("To fix: run `npx gen-workflows` and commit.\n")).toBe(true);
  });

  it("GIVEN a registry edit staged, then a further edit, gen run and only the workflows staged WHEN checking the index THEN the fix is gen, then git add of the registry and the workflows", () => {
    const r = repo();
    r.edit("services.config.ts", SCHEDULE, EDIT_A);
    r.git("add", "services.config.ts");
    r.edit("services.config.ts", EDIT_A, '"0 */8 * * *"');
    r.cli();
    r.git("add", ".github");
    const c = r.cli("--check", "--staged");
    expect(c.code).toBe(1);
    expect(c.stdout).toContain(`To fix: run \`npx gen-workflows\`, then \`git add services.config.ts ${REGENERATED.join(" ")}\` and commit (services.config.ts has unstaged changes: the commit holds only the staged part).`);
  });

  it("GIVEN `git commit -a` after gen WHEN the hook runs on git's temporary index THEN it passes; GIVEN `git commit <registry>` THEN it refuses", () => {
    const r = repo();
    r.installHook();
    r.edit("services.config.ts", SCHEDULE, EDIT_A);
    r.cli();
    const onlyRegistry = r.git("commit", "-m", "registry only", "services.config.ts");
    expect(onlyRegistry.code).not.toBe(0);
    expect(onlyRegistry.stderr).toContain(`\`git add ${REGENERATED.join(" ")}\``);
    const all = r.git("commit", "-a", "-m", "everything");
    expect(all.code, all.stdout + all.stderr).toBe(0);
  });
});

describe("partial staging", () => {
  it("GIVEN only the first of two registry edits staged (git add -p) but workflows generated from both WHEN checking the index THEN it is drift, naming the unstaged registry changes", () => {
    const r = repo();
    const original = r.read("services.config.ts");
    const first = original.replace(SCHEDULE, EDIT_A);
    const both = first.replace('{ name: "redis", kind: "infrastructure", image: false }', '{ name: "redis", kind: "infrastructure", image: false, rolloutTimeoutSeconds: 240 }');
    expect(both).not.toBe(first);
    r.write("services.config.ts", first);
    r.git("add", "services.config.ts");
    r.write("services.config.ts", both);
    r.cli();
    r.git("add", ".github");
    const c = r.cli("--check", "--staged");
    expect(c.code).toBe(1);
    expect(c.stdout).toContain("services.config.ts has unstaged changes: the commit holds only the staged part");
    expect(r.cli("--check").code).toBe(0);
  });

  it("GIVEN a staged edit with its regenerated workflows, and a later unstaged registry edit WHEN checking the index THEN it passes (the commit is consistent)", () => {
    const r = repo();
    r.edit("services.config.ts", SCHEDULE, EDIT_A);
    r.cli();
    r.git("add", "-A");
    r.edit("services.config.ts", '{ name: "redis", kind: "infrastructure", image: false }', '{ name: "redis", kind: "infrastructure", image: false, rolloutTimeoutSeconds: 240 }');
    expect(r.cli("--check").code).toBe(1);
    const c = r.cli("--check", "--staged");
    expect(c.code, c.stdout + c.stderr).toBe(0);
  });

  it("GIVEN a regenerated workflow staged and then edited by hand in the working tree WHEN checking the index THEN it passes: the hand edit is not committed", () => {
    const r = repo();
    r.edit("services.config.ts", SCHEDULE, EDIT_A);
    r.cli();
    r.git("add", "-A");
    r.edit(AKS, /name: Set the AKS cluster context/, "name: Set the cluster context");
    expect(r.cli("--check").code).toBe(1);
    expect(r.cli("--check", "--staged").code).toBe(0);
  });

  it("GIVEN a workflow staged as deleted (git rm --cached) but still on disk WHEN checking the index THEN it is missing from the commit", () => {
    const r = repo();
    r.git("rm", "-q", "--cached", AKS);
    const c = r.cli("--check", "--staged");
    expect(c.code).toBe(1);
    expect(c.stdout).toContain(`${AKS} is missing`);
    expect(c.stdout).toContain(`\`git add ${AKS}\``);
  });
});

describe("files the registry imports", () => {
  const withImport = (dir: string): void => {
    mkdirSync(join(dir, "deploy"));
    writeFileSync(join(dir, "deploy", "schedules.ts"), `export const INVOICES = ${SCHEDULE};\n`);
    const registry = join(dir, "services.config.ts");
    const text = spawnSync("cat", [registry], { encoding: "utf8" }).stdout;
    writeFileSync(registry, `import { INVOICES } from "./deploy/schedules.ts";\n${text.replace(SCHEDULE, "INVOICES")}`);
  };

  it("GIVEN an imported file edited and the workflows regenerated, but only the workflows staged WHEN committing THEN the hook refuses and names the imported file", () => {
    const r = repo(withImport);
    r.installHook();
    r.edit("deploy/schedules.ts", SCHEDULE, EDIT_A);
    r.cli();
    r.git("add", ".github");
    const commit = r.git("commit", "-m", "workflows only");
    expect(commit.code).not.toBe(0);
    expect(commit.stderr).toContain("deploy/schedules.ts has unstaged changes");
    expect(commit.stderr).toContain(`\`git add services.config.ts deploy/schedules.ts ${REGENERATED.join(" ")}\``);
    r.git("add", "deploy/schedules.ts");
    expect(r.git("commit", "-q", "-m", "with the schedule").code).toBe(0);
  });

  it("GIVEN the staged registry imports a file that is not staged (untracked) WHEN checking the index THEN the registry does not load from the commit: exit 2 naming the import", () => {
    const r = repo();
    mkdirSync(join(r.dir, "deploy"));
    r.write("deploy/schedules.ts", `export const INVOICES = ${SCHEDULE};\n`);
    r.write("services.config.ts", `import { INVOICES } from "./deploy/schedules.ts";\n${r.read("services.config.ts").replace(SCHEDULE, "INVOICES")}`);
    r.git("add", "services.config.ts");
    const c = r.cli("--check", "--staged");
    expect(c.code).toBe(2);
    expect(c.stderr).toContain("deploy/schedules.ts");
    expect(c.stderr).toContain("[CONFIG_LOAD_FAILED]");
    expect(c.stderr).not.toMatch(/staged-[A-Za-z0-9]{6}/);
  });
});

describe("outside the staged path", () => {
  it("GIVEN a folder that is not a git repository WHEN --check --staged runs THEN it checks the working tree like --check", () => {
    const dir = mkdtempSync(join(tmpdir(), "gen-nogit-"));
    try {
      cpSync(FIXTURE, dir, { recursive: true });
      const run = (...args: string[]) => spawnSync(process.execPath, [LAUNCHER, ...args], { cwd: dir, encoding: "utf8", env: { PATH: process.env.PATH ?? "", NO_COLOR: "1", GIT_CEILING_DIRECTORIES: tmpdir() } });
      expect(run("--check", "--staged").status).toBe(1);
      expect(run().status).toBe(0);
      const c = run("--check", "--staged");
      expect(c.status).toBe(0);
      expect(c.stdout).toBe("Deploy workflows match the registry.\n");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("GIVEN --staged without --check WHEN run THEN it is a usage error and nothing is written", () => {
    const r = repo();
    const c = r.cli("--staged");
    expect(c.code).toBe(2);
    expect(c.stderr).toContain("--staged checks the git index: use it with --check");
  });

  it("GIVEN --format json WHEN the staged snapshot drifts THEN one JSON document says so, with the git add fix", () => {
    const r = repo();
    r.edit("services.config.ts", SCHEDULE, EDIT_A);
    r.cli();
    r.git("add", "services.config.ts");
    const c = r.cli("--check", "--staged", "--format", "json");
    expect(c.code).toBe(1);
    const doc = JSON.parse(c.stdout) as { command: string; status: string; staged: boolean; drift: { path: string; kind: string }[]; fix: string };
    expect(doc).toMatchObject({ command: "check", status: "drift", staged: true, fix: `To fix: \`git add ${REGENERATED.join(" ")}\`, then commit.` });
    expect(doc.drift.map((d) => [d.path, d.kind])).toEqual(REGENERATED.map((p) => [p, "stale"]));
  });
});

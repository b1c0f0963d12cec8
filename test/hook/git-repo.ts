/** A temporary git repository holding a copy of test/fixtures/monorepo, with its workflows generated and committed. */
import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LAUNCHER, REPO } from "../support/repo.ts";

export const FIXTURE = join(REPO, "test", "fixtures", "monorepo");
export const AKS = ".github/workflows/deploy-aks.yml";
export const STAGING = ".github/workflows/deploy-staging.yml";
/** What a registry edit rewrites, in the order fixes list them: the deploy data files, the workflows and their rollback workflows. */
export const REGENERATED = [
  ".github/deploy/deploy-aks.jsonc",
  ".github/deploy/deploy-staging.jsonc",
  ".github/workflows/deploy-aks-rollback.yml",
  AKS,
  ".github/workflows/deploy-staging-rollback.yml",
  STAGING,
];

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export interface GitRepo {
  dir: string;
  git(...args: string[]): Run;
  /** The real CLI, run in the repository (as a hook runs it). */
  cli(...args: string[]): Run;
  read(rel: string): string;
  write(rel: string, text: string): void;
  edit(rel: string, from: string | RegExp, to: string): void;
  /** Installs a plain pre-commit hook running the staged check. */
  installHook(): void;
  remove(): void;
}

const ENV = { PATH: process.env.PATH ?? "", HOME: tmpdir(), NO_COLOR: "1", GIT_CONFIG_NOSYSTEM: "1", GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" };

function run(cmd: string, args: string[], cwd: string): Run {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", env: ENV });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function makeGitRepo(setup: (dir: string) => void = () => {}): GitRepo {
  const dir = mkdtempSync(join(tmpdir(), "gen-hook-"));
  cpSync(FIXTURE, dir, { recursive: true });
  setup(dir);
  const repo: GitRepo = {
    dir,
    git: (...args) => run("git", args, dir),
    cli: (...args) => run(process.execPath, [LAUNCHER, ...args], dir),
    read: (rel) => readFileSync(join(dir, rel), "utf8"),
    write: (rel, text) => writeFileSync(join(dir, rel), text),
    edit(rel, from, to) {
      const before = repo.read(rel);
      const after = before.replace(from, to);
      if (after === before) throw new Error(`edit of ${rel} changed nothing`);
      repo.write(rel, after);
    },
    installHook() {
      const hook = join(dir, ".git", "hooks", "pre-commit");
      writeFileSync(hook, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(LAUNCHER)} --check --staged\n`);
      chmodSync(hook, 0o755);
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
  repo.git("init", "-q", "-b", "main");
  const gen = repo.cli();
  if (gen.code !== 0) throw new Error(`gen failed in the fixture copy: ${gen.stderr}`);
  repo.git("add", "-A");
  repo.git("commit", "-q", "-m", "initial");
  return repo;
}

/**
 * Fix messages name the command the repository has: its `gen:workflows` script through its
 * package manager (found by lockfile), else the bin, with this run's --config/--root repeated.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { detectCommandFacts, fixCommand, type PackageManager } from "../../generator/check/user-command.ts";
import { LAUNCHER } from "../support/repo.ts";
import { makeTempRepo } from "../support/temp-repo.ts";

const WITH_SCRIPT = JSON.stringify({ scripts: { "gen:workflows": "gen-workflows" } });
const WITHOUT_SCRIPT = JSON.stringify({ scripts: { test: "vitest" } });

function facts(files: Record<string, string>, cwd = "/repo") {
  return detectCommandFacts(cwd, (p) => files[p]);
}

describe("which command a message names", () => {
  const cases: [string, Record<string, string>, string, string][] = [
    ["pnpm lockfile and the script", { "/repo/package.json": WITH_SCRIPT, "/repo/pnpm-lock.yaml": "" }, "pnpm gen:workflows", "pnpm gen:workflows --force"],
    ["npm lockfile and the script", { "/repo/package.json": WITH_SCRIPT, "/repo/package-lock.json": "{}" }, "npm run gen:workflows", "npm run gen:workflows -- --force"],
    ["yarn lockfile and the script", { "/repo/package.json": WITH_SCRIPT, "/repo/yarn.lock": "" }, "yarn gen:workflows", "yarn gen:workflows --force"],
    ["bun lockfile and the script", { "/repo/package.json": WITH_SCRIPT, "/repo/bun.lock": "" }, "bun run gen:workflows", "bun run gen:workflows --force"],
    ["pnpm lockfile, no script", { "/repo/package.json": WITHOUT_SCRIPT, "/repo/pnpm-lock.yaml": "" }, "pnpm exec gen-workflows", "pnpm exec gen-workflows --force"],
    ["npm lockfile, no script", { "/repo/package.json": WITHOUT_SCRIPT, "/repo/package-lock.json": "{}" }, "npx gen-workflows", "npx gen-workflows --force"],
    ["yarn lockfile, no script", { "/repo/package.json": WITHOUT_SCRIPT, "/repo/yarn.lock": "" }, "yarn gen-workflows", "yarn gen-workflows --force"],
    ["a package.json without lockfile", { "/repo/package.json": WITH_SCRIPT }, "npm run gen:workflows", "npm run gen:workflows -- --force"],
    ["no package.json at all", {}, "npx gen-workflows", "npx gen-workflows --force"],
    ["a package.json that does not parse", { "/repo/package.json": "{ nope", "/repo/pnpm-lock.yaml": "" }, "pnpm exec gen-workflows", "pnpm exec gen-workflows --force"],
  ];
  it.each(cases)("GIVEN %s WHEN a fix names the command THEN it is `%s`", (_, files, plain, withFlag) => {
    const cmd = fixCommand(facts(files));
    expect(cmd.gen()).toBe(plain);
    expect(cmd.gen("--force")).toBe(withFlag);
  });

  it("GIVEN a workspace package below the root WHEN detecting THEN its package.json decides the script and the root's lockfile the manager", () => {
    const f = facts({ "/repo/packages/deploy/package.json": WITH_SCRIPT, "/repo/package.json": WITHOUT_SCRIPT, "/repo/pnpm-lock.yaml": "" }, "/repo/packages/deploy");
    expect(f).toEqual({ packageManager: "pnpm", hasScript: true });
  });

  it.each<[PackageManager, string]>([
    ["pnpm", "pnpm gen:workflows --config deploy/services.config.ts --root 'my repo' --adopt-pins"],
    ["npm", "npm run gen:workflows -- --config deploy/services.config.ts --root 'my repo' --adopt-pins"],
  ])("GIVEN --config and --root (%s) WHEN a fix names the command THEN it repeats them, quoted where needed", (pm, expected) => {
    expect(fixCommand({ packageManager: pm, hasScript: true }, { config: "deploy/services.config.ts", root: "my repo" }).gen("--adopt-pins")).toBe(expected);
  });

  it("GIVEN a subcommand WHEN named THEN it comes first, the paths after it, or none when it takes none", () => {
    const cmd = fixCommand({ packageManager: "npm", hasScript: false }, { config: "x.config.ts" });
    expect(cmd.subcommand("add-service", "billing --kind backend")).toBe("npx gen-workflows add-service --config x.config.ts billing --kind backend");
    expect(cmd.subcommand("import", undefined, false)).toBe("npx gen-workflows import");
  });
});

describe("the CLI names the repository's command", () => {
  it.each([
    ["pnpm-lock.yaml", WITH_SCRIPT, "pnpm gen:workflows"],
    ["package-lock.json", WITH_SCRIPT, "npm run gen:workflows"],
    ["yarn.lock", WITHOUT_SCRIPT, "yarn gen-workflows"],
    ["package-lock.json", WITHOUT_SCRIPT, "npx gen-workflows"],
  ])("GIVEN %s and package.json %s WHEN --check finds drift THEN every fix says `%s`", (lockfile, manifest, expected) => {
    const repo = makeTempRepo();
    writeFileSync(join(repo.dir, "package.json"), manifest);
    writeFileSync(join(repo.dir, lockfile), "");
    repo.write(".github/workflows/deploy-aks.yml", repo.read(".github/workflows/deploy-aks.yml").replace("name: Show deployment status", "name: Show deployment state"));
    const r = spawnSync(process.execPath, [LAUNCHER, "--check"], { cwd: repo.dir, encoding: "utf8", env: { PATH: process.env.PATH ?? "", NO_COLOR: "1" } });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`then run \`${expected}\`\n`);
    expect(r.stdout.endsWith(`then run \`${expected}\` and commit.\n`)).toBe(true);
    expect(r.stdout).not.toMatch(expected.startsWith("pnpm gen") ? /npx|npm run/ : /pnpm gen:workflows/);
  });

  it("GIVEN an audit finding that names a command WHEN audit runs with --config THEN the command repeats it", () => {
    const repo = makeTempRepo();
    writeFileSync(join(repo.dir, "package-lock.json"), "{}");
    writeFileSync(join(repo.dir, "package.json"), WITH_SCRIPT);
    const r = spawnSync(process.execPath, [LAUNCHER, "audit", "--config", repo.configPath], { cwd: repo.dir, encoding: "utf8", env: { PATH: process.env.PATH ?? "", NO_COLOR: "1" } });
    expect(r.stdout).toContain("`npm run gen:workflows -- audit --root <checkout> --config <checkout>/services.config.ts`");
  });
});

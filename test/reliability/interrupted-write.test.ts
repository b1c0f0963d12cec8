/**
 * A write set killed half-way: GIVEN gen SIGKILLed between renaming the first and the second
 * workflow into place (one file new, one old, a temporary file left) WHEN --check runs THEN it is
 * drift (exit 1) naming the old file as stale and the leftover with its fix; WHEN gen runs THEN
 * it rewrites the old file and removes the leftover, and --check passes again.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findInterruptedWrites } from "../../generator/write-set.ts";
import { LAUNCHER, REPO } from "../support/repo.ts";
import { makeTempRepo } from "../support/temp-repo.ts";
import { jsonDocument, runIn } from "./run-in-process.ts";

const AKS = ".github/workflows/deploy-aks.yml";
const STAGING_DATA = ".github/deploy/deploy-staging.jsonc";
const PRELOAD = join(REPO, "test", "reliability", "fixtures", "pause-second-workflow-rename.cjs");

async function genKilledBetweenRenames(dir: string, configPath: string): Promise<void> {
  const marker = join(dir, ".paused");
  const child = spawn(process.execPath, ["--require", PRELOAD, LAUNCHER, "--config", configPath], { cwd: dir, env: { ...process.env, PAUSE_MARKER: marker }, stdio: "ignore" });
  const exited = new Promise((resolve) => child.on("exit", resolve));
  const deadline = Date.now() + 60_000;
  while (!existsSync(marker)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error("gen never reached its second rename");
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill("SIGKILL");
  await exited;
}

describe("a write set interrupted between two renames", () => {
  it("GIVEN gen killed after the first rename WHEN --check then gen run THEN the mixed set is reported, then healed and the leftover removed", async () => {
    const repo = makeTempRepo();
    repo.write("services.config.ts", repo.read("services.config.ts").replace("rolloutTimeoutSeconds: 120 }", "rolloutTimeoutSeconds: 152 }"));
    await genKilledBetweenRenames(repo.dir, repo.configPath);
    // The mixed set the kill left: the first file renamed into place is new, the others old, each
    // with its temporary file beside it.
    const tmpFiles = (): string[] =>
      [".github/workflows", ".github/deploy"].flatMap((d) => (existsSync(join(repo.dir, d)) ? readdirSync(join(repo.dir, d)).filter((f) => f.endsWith(".tmp")).map((f) => `${d}/${f}`) : []));
    const leftovers = tmpFiles();
    // Every temporary file is written before the first rename, so each file not yet renamed has one.
    expect(leftovers.length).toBeGreaterThan(0);
    const pending = leftovers.map((t) => t.replace(/\.\d+\.tmp$/, "")).sort();
    expect(pending).toContain(STAGING_DATA);
    expect(repo.read(STAGING_DATA)).not.toContain('"timeoutSeconds":152');

    const check = await runIn(repo, ["--check", "--format", "json"]);
    expect(check.code).toBe(1);
    const doc = jsonDocument(check);
    expect(doc.drift!.map((d) => [d.path, d.kind])).toEqual(pending.map((p) => [p, "stale"]));
    expect(doc.diagnostics).toEqual(leftovers.sort().map((file) => expect.objectContaining({ code: "WRITE_INTERRUPTED", severity: "warning", file, fix: expect.stringContaining("gen-workflows") })));

    const gen = await runIn(repo, []);
    expect(gen.code).toBe(0);
    for (const path of pending) expect(gen.stdout).toContain(`wrote ${path}`);
    for (const t of leftovers) expect(gen.stdout).toContain(`removed ${t} (left by an interrupted run)`);
    expect(tmpFiles()).toEqual([]);
    expect(repo.read(STAGING_DATA)).toContain('"timeoutSeconds":152');
    expect(await runIn(repo, ["--check"])).toMatchObject({ code: 0, stderr: "" });
  }, 120_000);

  it("GIVEN a temporary file of a process that is still running (a concurrent gen) WHEN leftovers are looked for THEN it is not one", () => {
    const repo = makeTempRepo();
    const target = join(repo.dir, AKS);
    writeFileSync(`${target}.${process.ppid}.tmp`, "in progress");
    writeFileSync(`${target}.999999999.tmp`, "left behind");
    expect(findInterruptedWrites([target])).toEqual([`${target}.999999999.tmp`]);
  });
});

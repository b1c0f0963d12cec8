/**
 * A registry is code, and code can hang. GIVEN a registry that never finishes (a loop at the top
 * of the module, a getter that loops, a promise that never settles) WHEN gen or --check runs THEN
 * it stops at the deadline with exit 2 and a CONFIG_LOAD_TIMEOUT diagnostic (one JSON document
 * with --format json), writes nothing, and never waits forever. Real processes: the loop can only
 * be interrupted from another thread (config/load-deadline.ts), so this runs on Node 20 and 24.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LAUNCHER, REPO } from "../support/repo.ts";
import { makeTempRepo, type TempRepo } from "../support/temp-repo.ts";

/** The default registry bound to `cfg`; `tail` runs before it is exported as `exported`. */
const withTail = (text: string, tail: string, exported = "cfg"): string =>
  text.replace("export default defineConfig(", "const cfg: any = defineConfig(").replace(/\}\);\s*$/, "});\n") + `${tail}\nexport default ${exported};\n`;

function run(repo: TempRepo, args: string[], env: Record<string, string> = {}) {
  const started = performance.now();
  const r = spawnSync(process.execPath, [LAUNCHER, ...args, "--config", repo.configPath], {
    cwd: repo.dir,
    encoding: "utf8",
    // A regression must fail this test, not hang the suite.
    timeout: 60_000,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? repo.dir, NO_COLOR: "1", GEN_WORKFLOWS_REGISTRY_TIMEOUT: "1", ...env },
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - started };
}

const hanging = [
  // Evaluated by require inside vm's timeout.
  { given: "a loop at the top of the module", edit: (t: string) => `while (true) {}\n${t}` },
  { given: "a getter that loops", edit: (t: string) => withTail(t, "const looping = { ...cfg, get project() { for (;;) {} } };", "looping") },
  // Top-level await: imported, so a timer (the promise) or the watchdog thread (the loop) steps in.
  { given: "a promise that never settles (a timer keeps the process alive)", edit: (t: string) => withTail(t, "await new Promise(() => setInterval(() => {}, 1000));") },
  { given: "a loop after a top-level await", edit: (t: string) => `await 0;\nwhile (true) {}\n${t}` },
];

describe("a registry that never finishes", () => {
  it.each(hanging)("GIVEN $given WHEN --check and gen run THEN exit 2, CONFIG_LOAD_TIMEOUT, nothing written, in seconds", ({ edit }) => {
    const repo = makeTempRepo();
    repo.write("services.config.ts", edit(repo.read("services.config.ts")));
    const before = repo.snapshot();

    const json = run(repo, ["--check", "--format", "json"]);
    expect(json.signal, json.stderr).toBeNull();
    expect(json.code, json.stderr).toBe(2);
    const doc = JSON.parse(json.stdout) as { status: string; diagnostics: { code: string; file: string; fix: string }[]; drift: unknown[] };
    expect(doc.status).toBe("config-error");
    expect(doc.drift).toEqual([]);
    expect(doc.diagnostics.map((d) => [d.code, d.file])).toEqual([["CONFIG_LOAD_TIMEOUT", "services.config.ts"]]);
    expect(json.ms).toBeLessThan(30_000);

    const text = run(repo, []);
    expect(text.code, text.stderr).toBe(2);
    expect(text.stderr).toContain("services.config.ts: the registry's code did not finish in 1 s: it loops forever, or waits for something that never comes [CONFIG_LOAD_TIMEOUT]");
    expect(text.stderr).toContain("fix: make the registry build and export plain data");
    // Only what was meant to be said: no note from node's inspector on the way out.
    expect(text.stderr).not.toMatch(/debugger|inspector/i);
    expect(repo.snapshot()).toEqual(before);
  });

  it("GIVEN a registry with a top-level await that finishes WHEN --check runs THEN it is used", () => {
    const repo = makeTempRepo();
    repo.write("services.config.ts", `await new Promise((r) => setTimeout(r, 10));\n${repo.read("services.config.ts")}`);
    expect(run(repo, ["--check"])).toMatchObject({ code: 0, stdout: "Deploy workflows match the registry.\n" });
  });

  it("GIVEN a registry that only leaves a timer running WHEN --check runs THEN it answers and exits, without waiting for the timer", () => {
    const repo = makeTempRepo();
    repo.write("services.config.ts", withTail(repo.read("services.config.ts"), "setInterval(() => {}, 1000);"));
    const r = run(repo, ["--check"]);
    expect(r).toMatchObject({ code: 0, signal: null, stdout: "Deploy workflows match the registry.\n" });
  });

  it("GIVEN GEN_WORKFLOWS_REGISTRY_TIMEOUT=0 WHEN a slow registry loads THEN no deadline applies and it is used", () => {
    const repo = makeTempRepo();
    // 2.5 s of work: past a 1 s deadline and its 1 s grace, and done when there is none.
    repo.write("services.config.ts", `const until = Date.now() + 2500; while (Date.now() < until) {}\n${repo.read("services.config.ts")}`);
    expect(run(repo, ["--check"]).code).toBe(2);
    expect(run(repo, ["--check"], { GEN_WORKFLOWS_REGISTRY_TIMEOUT: "0" })).toMatchObject({ code: 0, stdout: "Deploy workflows match the registry.\n" });
  });

  it("GIVEN a loop after a top-level await, staged for commit WHEN the pre-commit check runs THEN exit 2 and its staged snapshot is removed", () => {
    const repo = makeTempRepo();
    mkdirSync(join(repo.dir, "node_modules"));
    const git = (...args: string[]) => spawnSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd: repo.dir, encoding: "utf8" });
    git("init", "-q", ".");
    git("add", "-A");
    git("commit", "-q", "-m", "initial");
    repo.write("services.config.ts", `await 0;\nwhile (true) {}\n${repo.read("services.config.ts")}`);
    git("add", "services.config.ts");
    const r = run(repo, ["--check", "--staged", "--format", "json"]);
    expect(r.code, r.stderr).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ command: "check", status: "config-error", staged: true, drift: [], diagnostics: [{ code: "CONFIG_LOAD_TIMEOUT" }] });
    const cache = join(repo.dir, "node_modules", ".cache", "gen-workflows");
    expect(existsSync(cache) ? readdirSync(cache).filter((f) => f.startsWith("staged")) : []).toEqual([]);
  });

  it("GIVEN a registry whose second load loops WHEN add-service runs THEN exit 2 and no probe file is left beside the registry", () => {
    const repo = makeTempRepo();
    repo.write("services.config.ts", `await 0;\nif ((globalThis as any).__loaded) { for (;;) {} }\n(globalThis as any).__loaded = true;\n${repo.read("services.config.ts")}`);
    const before = repo.snapshot();
    const r = run(repo, ["add-service", "newsvc", "--kind", "backend"]);
    expect(r.code, r.stderr).toBe(2);
    expect(repo.snapshot()).toEqual(before);
  });

  it("GIVEN a loop at the top of the module WHEN --adopt-pins runs (it loads the registry twice) THEN both loads say CONFIG_LOAD_TIMEOUT", () => {
    const repo = makeTempRepo();
    repo.write("services.config.ts", `while (true) {}\n${repo.read("services.config.ts")}`);
    const r = run(repo, ["--adopt-pins", "--format", "json"]);
    expect(r.code, r.stderr).toBe(2);
    expect((JSON.parse(r.stdout) as { diagnostics: { code: string }[] }).diagnostics.map((d) => d.code)).toEqual(["CONFIG_LOAD_TIMEOUT"]);
  });

  it("GIVEN a registry that throws an Error WHEN --check runs THEN the diagnostic alone is printed, with no source line from node's module loader", () => {
    const repo = makeTempRepo();
    repo.write("services.config.ts", `throw new Error("no registry today");\n${repo.read("services.config.ts")}`);
    const r = run(repo, ["--check"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("services.config.ts: the registry threw while loading: no registry today [CONFIG_LOAD_FAILED]");
    expect(r.stderr).not.toMatch(/node:internal|evaluateSync/);
  });

  it("GIVEN the repository's own template is broken WHEN init runs THEN exit 2 naming it, not an internal error, and nothing written", () => {
    // The same path as a registry that times out under init (a user's problem, not init's bug),
    // without depending on how fast a registry loads.
    const repo = makeTempRepo({ withWorkflows: false });
    const dir = join(repo.dir, "fresh");
    mkdirSync(join(dir, "apps", "api"), { recursive: true });
    writeFileSync(join(dir, "apps", "api", "Dockerfile"), "FROM node:24-alpine AS production\n");
    mkdirSync(join(dir, "templates", "deploy"), { recursive: true });
    cpSync(join(REPO, "templates"), join(dir, "templates"), { recursive: true });
    writeFileSync(join(dir, "templates", "deploy", "post-deploy.yml"), "steps: [\n");
    const r = spawnSync(process.execPath, [LAUNCHER, "init"], { cwd: dir, encoding: "utf8", timeout: 60_000, env: { PATH: process.env.PATH ?? "", HOME: repo.dir, NO_COLOR: "1" } });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toContain("[TEMPLATE_INVALID]");
    expect(r.stderr).not.toContain("internal error");
    expect(readdirSync(dir).sort()).toEqual(["apps", "templates"]);
  });
});


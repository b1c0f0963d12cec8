/**
 * A registry is code, and code can hang. GIVEN a registry that never finishes (a loop at the top
 * of the module, a getter that loops, a promise that never settles) WHEN gen or --check runs THEN
 * it stops at the deadline with exit 2 and a CONFIG_LOAD_TIMEOUT diagnostic (one JSON document
 * with --format json), writes nothing, and never waits forever. Real processes: the loop can only
 * be interrupted from another thread (config/load-deadline.ts), so this runs on Node 20 and 24.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { LAUNCHER } from "../support/repo.ts";
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
});

/**
 * The one error boundary: GIVEN a command that throws anything at all WHEN main() reports it
 * THEN it never throws itself; an operating-system error (EACCES, EIO, EISDIR…) is a diagnostic
 * with exit 2, anything else exit 3 "this is a bug"; with --format json there is exactly one
 * JSON document on stdout.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { describeThrown, describeValue } from "../../generator/describe.ts";
import { reportThrown, systemErrorDiagnostic } from "../../generator/error-boundary.ts";
import { makeTempRepo } from "../support/temp-repo.ts";

afterEach(() => {
  vi.doUnmock("../../generator/write-set.ts");
  vi.doUnmock("../../generator/io.ts");
  vi.resetModules();
});

function capture(cwd = "/repo") {
  const out = { stdout: "", stderr: "" };
  return { out, io: { cwd, env: { NO_COLOR: "1" }, isTTY: false, stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t) } };
}

/** What node throws for a failed system call. */
function systemError(code: string, syscall: string, path: string, dest?: string): NodeJS.ErrnoException {
  const text = { EACCES: "permission denied", EIO: "i/o error", ENOSPC: "no space left on device", EISDIR: "illegal operation on a directory" }[code] ?? "failed";
  return Object.assign(new Error(`${code}: ${text}, ${syscall} '${path}'${dest ? ` -> '${dest}'` : ""}`), { code, syscall, path, ...(dest ? { dest } : {}), errno: -1 });
}

const revoked = (() => {
  const p = Proxy.revocable({}, {});
  p.revoke();
  return p.proxy;
})();
// Factories: the test runner prints its cases' arguments, and some of these cannot be printed.
const hostileThrows: [string, () => unknown][] = [
  ["null", () => null],
  ["undefined", () => undefined],
  ["a string", () => "registry says no"],
  ["a Symbol", () => Symbol("boom")],
  ["a BigInt", () => 10n ** 30n],
  ["a revoked proxy", () => revoked],
  ["an object whose getters throw", () => Object.defineProperty({}, "message", { get: () => { throw new Error("getter"); } })],
  ["an Error whose message, stack and name getters throw", () => Object.create(Error.prototype, { message: { get: () => { throw null; } }, stack: { get: () => { throw null; } }, name: { get: () => { throw null; } } })],
  ["an Error whose code getter throws", () => Object.defineProperty(new Error("x"), "code", { get: () => { throw Symbol(); } })],
];

describe("the boundary itself cannot throw", () => {
  it.each(hostileThrows)("GIVEN %s thrown WHEN reported THEN exit 3 with a message, and the JSON document when asked", (_, make) => {
    const thrown = make();
    for (const argv of [["--check"], ["--check", "--format", "json"]]) {
      const { out, io } = capture();
      expect(reportThrown(thrown, argv, io, false)).toBe(3);
      expect(out.stderr).toContain("internal error (this is a bug");
      if (argv.includes("json")) expect(JSON.parse(out.stdout)).toMatchObject({ command: "check", status: "internal-error" });
    }
  });

  it("GIVEN values of every kind WHEN described THEN each is named, never 'undefined' for a value that is something", () => {
    expect(describeValue(Symbol("ns"))).toBe('a Symbol ("ns")');
    expect(describeValue(() => 1)).toBe("a function");
    expect(describeValue(120n)).toBe("120n (a BigInt)");
    expect(describeValue(revoked)).toMatch(/revoked proxy/);
    expect(describeValue("A".repeat(1e6))).toMatch(/… \(1000000 characters\)"$/);
    expect(describeThrown("a thrown string")).toBe("a thrown string");
    expect(describeThrown(null)).toBe("null was thrown");
  });

  it("GIVEN stderr itself throws WHEN a failure is reported THEN the exit code still says so", () => {
    const io = { cwd: "/", env: {}, isTTY: false, stdout: () => {}, stderr: () => { throw new Error("EPIPE"); } };
    expect(reportThrown(new TypeError("bug"), [], io, false)).toBe(3);
  });
});

describe("operating-system errors are the environment's, exit 2 with a diagnostic", () => {
  it.each([
    ["EACCES", "rename", "IO_WRITE_FAILED", /permission/],
    ["EIO", "rename", "IO_WRITE_FAILED", /disk/],
    ["ENOSPC", "write", "IO_WRITE_FAILED", /free disk space/],
    ["EACCES", "open", "IO_READ_FAILED", /permission/],
    ["EISDIR", "read", "PATH_NOT_A_FILE", /folder/],
  ])("GIVEN %s from %s WHEN reported THEN %s with the target path and a fix", (code, syscall, diagnosticCode, fix) => {
    const thrown = systemError(code, syscall, "/repo/.github/workflows/deploy-aks.yml.123.tmp", syscall === "rename" ? "/repo/.github/workflows/deploy-aks.yml" : undefined);
    const d = systemErrorDiagnostic(thrown, "/repo")!;
    expect(d).toMatchObject({ code: diagnosticCode, file: syscall === "rename" ? ".github/workflows/deploy-aks.yml" : ".github/workflows/deploy-aks.yml.123.tmp" });
    expect(d.fix).toMatch(fix);
    const { out, io } = capture();
    expect(reportThrown(thrown, ["--format", "json"], io, false)).toBe(2);
    const doc = JSON.parse(out.stdout);
    expect(doc).toMatchObject({ command: "gen", status: "environment-error", diagnostics: [{ code: diagnosticCode }] });
  });

  it("GIVEN the command already printed its JSON document WHEN it then fails THEN no second document is printed", () => {
    const { out, io } = capture();
    expect(reportThrown(systemError("EIO", "write", "/repo/summary.md"), ["--format", "json"], io, true)).toBe(2);
    expect(out.stdout).toBe("");
    expect(out.stderr).toContain("[IO_WRITE_FAILED]");
  });

  it.each(["EACCES", "EIO"])("GIVEN the write set fails with %s WHEN gen runs THEN exit 2 naming the file, one JSON document, no workflow written", async (code) => {
    vi.doMock("../../generator/write-set.ts", async (importOriginal) => {
      const real = await importOriginal<typeof import("../../generator/write-set.ts")>();
      return {
        ...real,
        applyWriteSet: (ops: { path: string }[]) => {
          throw systemError(code, "rename", `${ops[0]!.path}.1.tmp`, ops[0]!.path);
        },
      };
    });
    const { main } = await import("../../generator/cli.ts");
    const repo = makeTempRepo({ withWorkflows: false });
    const { out, io } = capture(repo.dir);
    expect(await main(["--config", repo.configPath, "--format", "json"], io)).toBe(2);
    const doc = JSON.parse(out.stdout);
    // The mock fails on the write set's first file, the first path in sorted order.
    expect(doc).toMatchObject({ status: "environment-error", diagnostics: [{ code: "IO_WRITE_FAILED", file: ".github/deploy/deploy-aks.jsonc" }] });
    expect(existsSync(join(repo.dir, ".github"))).toBe(false);
  });

  it("GIVEN the registry loader throws EACCES (an unwritable cache) WHEN --check runs THEN exit 2 with IO_WRITE_FAILED, not a bug", async () => {
    vi.doMock("../../generator/io.ts", async (importOriginal) => {
      const real = await importOriginal<typeof import("../../generator/io.ts")>();
      return {
        ...real,
        loadRegistryModule: () => {
          throw systemError("EACCES", "mkdir", "/repo/node_modules/.cache/gen-workflows");
        },
      };
    });
    const { main } = await import("../../generator/cli.ts");
    const repo = makeTempRepo();
    const { out, io } = capture(repo.dir);
    expect(await main(["--check", "--config", repo.configPath], io)).toBe(2);
    expect(out.stderr).toMatch(/loading the registry: mkdir failed: .*permission denied \[IO_WRITE_FAILED\]/);
    expect(out.stderr).toContain("fix: give this user permission");
  });

  it("GIVEN a registry whose timer throws null after loading WHEN the real CLI runs THEN exit 2 naming the registry's code, not node's exit 1 (drift)", () => {
    const repo = makeTempRepo();
    repo.write("services.config.ts", `${repo.read("services.config.ts")}\nsetTimeout(() => { throw null; }, 0);\n`);
    const r = repo.run(["--check"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("the registry's code threw outside the generator's steps");
    expect(r.stderr).toContain("[CONFIG_LOAD_FAILED]");
  });

  it.each([["audit"], ["plan"], ["add-service"]])("GIVEN %s with an unknown flag and --format json WHEN run THEN exit 2 and one JSON document with the usage error", async (sub) => {
    const { main } = await import("../../generator/cli.ts");
    const { out, io } = capture();
    expect(await main([sub, "--bogus", "--format", "json"], io)).toBe(2);
    expect(JSON.parse(out.stdout)).toMatchObject({ command: sub, status: "usage-error", diagnostics: [{ code: "USAGE", message: expect.stringContaining("bogus") }] });
    expect(out.stderr).toContain("Usage:");
  });
});

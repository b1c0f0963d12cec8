/**
 * Bot-updated action pins (issue 3 §5) through the real CLI: a file whose only difference is
 * `uses:` refs is reported as such, and `--adopt-pins` takes the refs into the registry.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Diagnostic } from "../../generator/diagnostics.ts";
import { makeTempRepo, type TempRepo } from "../support/temp-repo.ts";

const AKS = ".github/workflows/deploy-aks.yml";
const STAGING = ".github/workflows/deploy-staging.yml";
const NEW_SHA = "0123456789abcdef0123456789abcdef01234567";

function freshRepo(): TempRepo {
  const repo = makeTempRepo({ withWorkflows: false });
  expect(repo.run([]).code).toBe(0);
  return repo;
}

/** The ref and version the generator pins actions/checkout to, read from a generated file. */
function checkoutPin(text: string): { sha: string; version: string } {
  const m = /uses: actions\/checkout@([0-9a-f]{40}) # (\S+)/.exec(text);
  if (!m) throw new Error("test bug: no checkout step");
  return { sha: m[1]!, version: m[2]! };
}

/** What Dependabot does: rewrite every ref of the action (and its version comment) in the file. */
function bump(repo: TempRepo, file: string, sha: string, version: string): void {
  const text = repo.read(file);
  const old = checkoutPin(text);
  repo.write(file, text.replaceAll(`actions/checkout@${old.sha} # ${old.version}`, `actions/checkout@${sha} # ${version}`));
}

describe("--check on bot-bumped pins", () => {
  it("GIVEN only a uses: ref bumped WHEN --check runs THEN it says only action pins differ and names the remedy", () => {
    const repo = freshRepo();
    const old = checkoutPin(repo.read(AKS));
    bump(repo, AKS, NEW_SHA, "v9.9.9");
    const r = repo.run(["--check"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`  ${AKS} differs only in action pins (bot update?)`);
    expect(r.stdout).toMatch(new RegExp(`deploy-aks\\.yml: actions/checkout is at ${NEW_SHA.slice(0, 12)} \\(v9\\.9\\.9\\) \\(lines \\d+(, \\d+)*\\), the registry pins ${old.sha.slice(0, 12)} \\(${old.version.replace(/\./g, "\\.")}\\)`));
    expect(r.stdout).toContain(`npx gen-workflows --config ${repo.configPath} --adopt-pins`);
    const json = JSON.parse(repo.run(["--check", "--format", "json"]).stdout) as { drift: { kind: string; findings: { code: string }[] }[] };
    expect(json.drift.map((d) => d.kind)).toEqual(["pins"]);
    expect(json.drift[0]!.findings.map((f) => f.code)).toEqual(["DRIFT_ACTION_PIN"]);
  });

  it("GIVEN a pin bump and another hand edit in the same file WHEN --check runs THEN it is an ordinary hand edit", () => {
    const repo = freshRepo();
    bump(repo, AKS, NEW_SHA, "v9.9.9");
    repo.write(AKS, repo.read(AKS).replace("timeout-minutes: 10", "timeout-minutes: 11"));
    const r = repo.run(["--check"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`  ${AKS} was edited by hand`);
    expect(r.stdout).not.toContain("differs only in action pins");
  });
});

describe("--adopt-pins", () => {
  it("GIVEN a bumped pin in a generated file WHEN --adopt-pins runs THEN the registry holds the new pin, comments survive, and --check passes", () => {
    const repo = freshRepo();
    const registryBefore = repo.read("services.config.ts");
    bump(repo, STAGING, NEW_SHA, "v9.9.9");
    expect(repo.run(["--check"]).code).toBe(1);

    const r = repo.run(["--adopt-pins"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`adopted actions/checkout@${NEW_SHA} (v9.9.9) into services.config.ts project.actionPins (from ${STAGING})`);
    expect(r.stdout).toContain(`wrote ${AKS}`);

    const registry = repo.read("services.config.ts");
    expect(registry).toContain(`"actions/checkout": { sha: "${NEW_SHA}", version: "v9.9.9" },`);
    // Only lines were added: every line of the registry before is still there, in order, comments included.
    const block = new RegExp(`\\n {4}actionPins: \\{\\n {6}"actions/checkout": \\{ sha: "${NEW_SHA}", version: "v9\\.9\\.9" \\},\\n {4}\\},`);
    expect(registry).toMatch(block);
    expect(registry.replace(block, "")).toBe(registryBefore);
    expect(registry).toContain("// Both Clerk instances");

    expect(repo.run(["--check"])).toMatchObject({ code: 0, stdout: "Deploy workflows match the registry.\n" });
    for (const file of [AKS, STAGING]) expect(checkoutPin(repo.read(file))).toEqual({ sha: NEW_SHA, version: "v9.9.9" });
    expect(repo.run([]).stdout).toBe("4 workflows already up to date; nothing written.\n");

    // A second bump replaces the entry instead of adding another.
    const second = "fedcba9876543210fedcba9876543210fedcba98";
    bump(repo, AKS, second, "v10.0.0");
    bump(repo, STAGING, second, "v10.0.0");
    expect(repo.run(["--adopt-pins"]).code).toBe(0);
    const again = repo.read("services.config.ts");
    expect(again).toContain(`"actions/checkout": { sha: "${second}", version: "v10.0.0" },`);
    expect(again).not.toContain(NEW_SHA);
    expect(repo.run(["--check"]).code).toBe(0);
  });

  it("GIVEN a pin bumped to a tag instead of a SHA WHEN --adopt-pins runs THEN exit 1 naming file:line, nothing written", () => {
    const repo = freshRepo();
    const text = repo.read(AKS);
    const old = checkoutPin(text);
    repo.write(AKS, text.replaceAll(`actions/checkout@${old.sha} # ${old.version}`, "actions/checkout@v5"));
    const before = repo.snapshot();
    const r = repo.run(["--adopt-pins"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^${AKS.replace(/\./g, "\\.")}:\\d+: actions/checkout@v5 is not a full commit SHA; the registry pins actions to SHAs \\[PIN_NOT_A_SHA\\]$`, "m"));
    expect(r.stderr).toContain("nothing was written");
    expect(repo.snapshot()).toEqual(before);
  });

  it("GIVEN the two workflows bumped to different SHAs WHEN --adopt-pins runs THEN PIN_CONFLICT, nothing written", () => {
    const repo = freshRepo();
    bump(repo, AKS, NEW_SHA, "v9.9.9");
    bump(repo, STAGING, "fedcba9876543210fedcba9876543210fedcba98", "v10.0.0");
    const before = repo.snapshot();
    const r = repo.run(["--adopt-pins"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("[PIN_CONFLICT]");
    expect(repo.snapshot()).toEqual(before);
  });

  it("GIVEN nothing bumped WHEN --adopt-pins runs THEN it says so and changes nothing", () => {
    const repo = freshRepo();
    const before = repo.snapshot();
    const r = repo.run(["--adopt-pins"]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toBe("no generated workflow differs only in action pins; nothing to adopt.\n4 workflows already up to date; nothing written.\n");
    expect(repo.snapshot()).toEqual(before);
  });

  it("GIVEN a pin bumped in one workflow and a hand edit in the other WHEN --adopt-pins runs THEN exit 1 naming the edited file and what to do, nothing written; once the edit is reverted the pin is adopted", () => {
    const repo = freshRepo();
    bump(repo, AKS, NEW_SHA, "v9.9.9");
    const staging = repo.read(STAGING);
    const handEdited = staging.replace("name: Show deployment status", "name: Show deployment state");
    expect(handEdited).not.toBe(staging);
    repo.write(STAGING, handEdited);
    const kinds = JSON.parse(repo.run(["--check", "--format", "json"]).stdout) as { drift: { path: string; kind: string }[] };
    expect(kinds.drift.map((d) => [d.path, d.kind])).toEqual([
      [AKS, "pins"],
      [STAGING, "edited"],
    ]);
    const before = repo.snapshot();

    const r = repo.run(["--adopt-pins"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(`${STAGING}: ${STAGING} was edited by hand beyond action pins; --adopt-pins regenerates it and would discard the edit [PIN_HAND_EDITED_WORKFLOW]`);
    expect(r.stderr).toContain("fix: move that edit into services.config.ts or templates/ (or revert it)");
    expect(r.stderr).not.toContain(AKS);
    expect(r.stderr).toContain("no pin was adopted and nothing was written");
    expect(repo.snapshot()).toEqual(before);

    const json = JSON.parse(repo.run(["--adopt-pins", "--format", "json"]).stdout) as { status: string; diagnostics: { code: string; file: string }[] };
    expect(json.status).toBe("not-adopted");
    expect(json.diagnostics.map((d) => [d.code, d.file])).toEqual([["PIN_HAND_EDITED_WORKFLOW", STAGING]]);
    expect(repo.snapshot()).toEqual(before);

    repo.write(STAGING, staging);
    expect(repo.run(["--adopt-pins"]).code).toBe(0);
    expect(repo.read("services.config.ts")).toContain(`"actions/checkout": { sha: "${NEW_SHA}", version: "v9.9.9" },`);
    expect(repo.run(["--check"]).code).toBe(0);
  });

  it("GIVEN a hand edit in a workflow that is also out of date WHEN --adopt-pins runs THEN it is refused naming that file only, nothing written", () => {
    const repo = freshRepo();
    repo.write(STAGING, repo.read(STAGING).replace("name: Show deployment status", "name: Show deployment state"));
    // A registry change makes both files stale; only the staging one is also edited.
    const registry = repo.read("services.config.ts");
    const changed = registry.replace('{ name: "rabbitmq", kind: "infrastructure", image: false, rolloutTimeoutSeconds: 120 }', '{ name: "rabbitmq", kind: "infrastructure", image: false, rolloutTimeoutSeconds: 121 }');
    expect(changed).not.toBe(registry);
    repo.write("services.config.ts", changed);
    const kinds = JSON.parse(repo.run(["--check", "--format", "json"]).stdout) as { drift: { path: string; kind: string }[] };
    // Every file generated from the registry is stale (its data and rollback workflows too).
    expect(kinds.drift.map((d) => [d.path, d.kind])).toEqual([
      [".github/deploy/deploy-aks.jsonc", "stale"],
      [".github/deploy/deploy-staging.jsonc", "stale"],
      [".github/workflows/deploy-aks-rollback.yml", "stale"],
      [AKS, "stale"],
      [".github/workflows/deploy-staging-rollback.yml", "stale"],
      [STAGING, "stale-and-edited"],
    ]);
    const before = repo.snapshot();
    const r = repo.run(["--adopt-pins"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${STAGING}: ${STAGING} was edited by hand and is out of date, so the edit cannot be told apart from a pin bump; --adopt-pins regenerates it and would discard the edit [PIN_HAND_EDITED_WORKFLOW]`);
    expect(r.stderr).not.toContain(AKS);
    expect(repo.snapshot()).toEqual(before);
  });
});

describe("--adopt-pins writes nothing when generation fails", () => {
  afterEach(() => {
    vi.doUnmock("../../generator/render/validate.ts");
    vi.resetModules();
  });

  it("GIVEN GitHub's parser rejects the regenerated workflows WHEN --adopt-pins runs THEN exit 3 and the registry and workflows are untouched", async () => {
    const repo = freshRepo();
    bump(repo, STAGING, NEW_SHA, "v9.9.9");
    const before = repo.snapshot();
    vi.doMock("../../generator/render/validate.ts", () => ({
      // Templates are valid here; only the generated workflows are rejected.
      validateTemplate: async (): Promise<Diagnostic[]> => [],
      validateWorkflow: async (file: string): Promise<Diagnostic[]> => [{ code: "WORKFLOW_INVALID", severity: "error", message: "GitHub's workflow parser rejects the generated file: injected", file, line: 1, column: 1 }],
    }));
    const { main } = await import("../../generator/cli.ts");
    const out = { stdout: "", stderr: "" };
    const io = { cwd: repo.dir, env: { NO_COLOR: "1" }, isTTY: false, stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t) };

    expect(await main(["--adopt-pins", "--config", repo.configPath], io)).toBe(3);
    expect(out.stderr).toContain(`${STAGING}:1:1: GitHub's workflow parser rejects the generated file: injected [WORKFLOW_INVALID]`);
    expect(out.stderr).toContain("nothing was written");
    expect(out.stdout).not.toContain("adopted");
    expect(repo.snapshot()).toEqual(before);
  });
});

/**
 * The generated `changes` job's script (the runner bundle's `changes` command), run for real with
 * bash, git and node in a throwaway monorepo, with a fake `gh` answering the "last successful
 * runs" query. Asserts the step outputs the build and re-tag jobs read, and ends with a whole
 * one-service push: the change detection's outputs drive the deploy job in the harness.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { callsOf } from "../harness/calls.ts";
import { runJob } from "../harness/run-job.ts";
import { makeWorkdir } from "../harness/test-workdir.ts";
import { STAGING, defaultRegistry, generateWorkflows, parseWorkflowText } from "./generated.ts";
import { SHA, deployCheckout, fakeSecrets, offline, planFor, pushContext } from "./support.ts";

const generated = generateWorkflows();
const workflowText = generated.get(STAGING)!;
const DATA = ".github/deploy/deploy-staging.jsonc";
const RUNNER = ".github/deploy/deploy.mjs";
const changesJob = parseWorkflowText(workflowText).jobs.changes!;
const step = changesJob.steps.find((s) => s.id === "affected")!;
const built = defaultRegistry.services.filter((s) => s.image !== false && (s.environments ?? ["staging"]).includes("staging"));

let root: string;
let repo: string;
let bin: string;

function git(...args: string[]): string {
  return execFileSync("git", args, { cwd: repo, encoding: "utf8", env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" } }).trim();
}

function write(path: string, text: string): void {
  mkdirSync(dirname(join(repo, path)), { recursive: true });
  writeFileSync(join(repo, path), text);
}

function commit(message: string): string {
  git("add", "-A");
  git("commit", "-q", "-m", message);
  return git("rev-parse", "HEAD");
}

/** `gh` that prints the given run commits, newest first, and records its arguments. */
function fakeGh(shas: string[]): void {
  writeFileSync(join(bin, "gh"), `#!/bin/sh\necho "$@" >> "${join(root, "gh-calls")}"\nprintf '%s\\n' ${shas.map((s) => `'${s}'`).join(" ")}\n`);
  chmodSync(join(bin, "gh"), 0o755);
}

interface StepRun {
  status: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

function runChangesStep(fullBuild = ""): StepRun {
  const temp = mkdtempSync(join(root, "runner-"));
  const outputFile = join(temp, "output");
  const summaryFile = join(temp, "summary");
  writeFileSync(outputFile, "");
  writeFileSync(summaryFile, "");
  const result = spawnSync("bash", ["-c", step.run!], {
    cwd: repo,
    encoding: "utf8",
    env: {
      PATH: `${bin}:${process.env.PATH}`,
      HOME: root,
      RUNNER_TEMP: temp,
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      GITHUB_REPOSITORY: "splits/network",
      GH_TOKEN: "fake-token",
      FULL_BUILD: fullBuild,
    },
  });
  const outputs = Object.fromEntries(
    readFileSync(outputFile, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr, outputs, summary: readFileSync(summaryFile, "utf8") };
}

const names = (entries: string): string[] => (JSON.parse(entries) as { name: string }[]).map((e) => e.name);

let deployed: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "affected-job-"));
  repo = join(root, "repo");
  bin = join(root, "bin");
  mkdirSync(repo);
  mkdirSync(bin);
  git("init", "-q", "-b", "staging");
  write("package.json", JSON.stringify({ name: "splits", private: true }));
  write("pnpm-lock.yaml", "lockfileVersion: '9.0'\n");
  write("VERSION", "1.4.0\n");
  write("packages/shared-types/package.json", JSON.stringify({ name: "@splits/shared-types" }));
  for (const s of built) {
    const deps = s.name === "billing-service" ? { "@splits/shared-types": "workspace:*" } : {};
    write(`${s.path}/package.json`, JSON.stringify({ name: s.name, dependencies: deps }));
    write(`${s.path}/Dockerfile`, `FROM node:20-alpine AS production\nCOPY package.json pnpm-lock.yaml ./\nCOPY ${s.path} ./${s.path}\n`);
    write(`${s.path}/src/index.ts`, "export {};\n");
  }
  write(STAGING, workflowText);
  write(RUNNER, generated.get(RUNNER)!);
  write(DATA, generated.get(DATA)!);
  deployed = commit("deployed");
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("changes job", () => {
  test("GIVEN one service changed since the last successful deploy WHEN the job runs THEN only it is in the build matrix and every other service is re-tagged", () => {
    write("services/ats-service/src/index.ts", "export const changed = true;\n");
    write("VERSION", "1.5.0\n");
    commit("change ats");
    fakeGh([deployed]);
    const run = runChangesStep();
    expect(run.status, run.stderr).toBe(0);
    expect(run.outputs.base).toBe(deployed);
    expect(run.outputs["base-version"]).toBe("1.4.0");
    expect(names(run.outputs["build-1"]!)).toEqual(["ats-service"]);
    expect(JSON.parse(run.outputs["build-1"]!)[0]).toEqual({ name: "ats-service", path: "services/ats-service", "build-args": "", "secret-build-args": "", sentry: true, "sentry-project": "ats-service", "secret-envs": "" });
    expect(run.outputs.retag!.split(" ")).toEqual(built.map((s) => s.name).filter((n) => n !== "ats-service"));
    expect(run.summary).toContain("| ats-service | build | input changed: services/ats-service/src/index.ts |");
    const ghCalls = readFileSync(join(root, "gh-calls"), "utf8");
    expect(ghCalls).toContain("repos/splits/network/actions/workflows/deploy-staging.yml/runs");
    expect(ghCalls).toContain("branch=staging");
    expect(ghCalls).toContain("status=success");
  });

  test("GIVEN changed files whose names git would quote (non-ASCII, quotes and spaces, a newline) WHEN the job runs THEN their services build, not re-tagged", () => {
    write("services/ats-service/src/café.ts", "export {};\n");
    write('services/chat-service/src/say "hi" now.ts', "export {};\n");
    write("services/ai-service/src/line\nbreak.ts", "export {};\n");
    commit("oddly named files");
    expect(git("diff", "--name-only", deployed, "HEAD")).toContain('"services/ats-service/src/caf\\303\\251.ts"');
    fakeGh([deployed]);
    const run = runChangesStep();
    expect(run.status, run.stderr).toBe(0);
    expect(names(run.outputs["build-1"]!)).toEqual(built.map((s) => s.name).filter((n) => ["ai-service", "ats-service", "chat-service"].includes(n)));
    expect(run.outputs.retag!.split(" ")).toEqual(built.map((s) => s.name).filter((n) => !["ai-service", "ats-service", "chat-service"].includes(n)));
    expect(run.stdout).toContain("ats-service: input changed: services/ats-service/src/café.ts");
    expect(run.stdout).toContain('chat-service: input changed: services/chat-service/src/say "hi" now.ts');
  });

  test("GIVEN a Dockerfile copying a folder outside the workspace graph WHEN a file deep in it changes THEN that service builds and the others are re-tagged", () => {
    write("services/network-service/Dockerfile", "FROM node:20-alpine AS production\nCOPY package.json pnpm-lock.yaml ./\nCOPY ./patches/ ./patches\nCOPY services/network-service ./services/network-service\n");
    write("patches/README", "patches\n");
    const base = commit("network copies patches");
    write("patches/vendor/ñandú.patch", "--- a\n+++ b\n");
    write("tools/unrelated.sh", "true\n");
    commit("patch");
    fakeGh([base]);
    const run = runChangesStep();
    expect(run.status, run.stderr).toBe(0);
    expect(names(run.outputs["build-1"]!)).toEqual(["network-service"]);
    expect(run.stdout).toContain("network-service: input changed: patches/vendor/ñandú.patch");
    expect(run.outputs.retag!.split(" ")).toEqual(built.map((s) => s.name).filter((n) => n !== "network-service"));
  });

  test("GIVEN a workspace package changed WHEN the job runs THEN the services depending on it build, with their build args intact", () => {
    write("packages/shared-types/index.ts", "export type Id = string;\n");
    write("apps/portal/next.config.js", "module.exports = {};\n");
    commit("change shared types and portal");
    fakeGh([deployed]);
    const run = runChangesStep();
    expect(run.status, run.stderr).toBe(0);
    expect(names(run.outputs["build-1"]!)).toEqual(["billing-service", "portal"]);
    const portal = (JSON.parse(run.outputs["build-1"]!) as Record<string, string>[]).find((e) => e.name === "portal")!;
    expect(portal["build-args"]).toBe("NEXT_PUBLIC_API_URL=https://api.staging.splits.network/api");
    expect(portal["secret-build-args"]).toBe("NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY");
    expect(portal["secret-envs"]).toBe("SENTRY_AUTH_TOKEN=BUILD_SECRET_SENTRY_AUTH_TOKEN");
  });

  test("GIVEN the lockfile changed WHEN the job runs THEN every service whose Dockerfile copies it builds", () => {
    write("pnpm-lock.yaml", "lockfileVersion: '9.0'\n# changed\n");
    commit("bump lockfile");
    fakeGh([deployed]);
    const run = runChangesStep();
    expect(names(run.outputs["build-1"]!)).toEqual(built.map((s) => s.name));
    expect(run.outputs.retag).toBe("");
  });

  test("GIVEN the last deploy failed WHEN the next run looks for its base THEN it diffs against the last SUCCESSFUL deploy, so the failed run's changes are rebuilt", () => {
    write("services/chat-service/src/index.ts", "export const a = 1;\n");
    commit("change chat (this deploy failed)");
    write("services/ai-service/src/index.ts", "export const b = 2;\n");
    commit("change ai");
    fakeGh([deployed]); // the failed run is not in the success list
    const run = runChangesStep();
    expect(names(run.outputs["build-1"]!)).toEqual(["ai-service", "chat-service"]);
  });

  test("GIVEN the newest successful run's commit is no longer in the branch (rebased away) WHEN the job runs THEN the next successful run is the base, as nrwl/nx-set-shas does", () => {
    write("services/ats-service/src/index.ts", "export const changed = 1;\n");
    const middle = commit("middle");
    write("services/network-service/src/index.ts", "export const changed = 2;\n");
    commit("head");
    fakeGh(["0123456789abcdef0123456789abcdef01234567", middle, deployed]);
    const run = runChangesStep();
    expect(run.outputs.base).toBe(middle);
    expect(names(run.outputs["build-1"]!)).toEqual(["network-service"]);
  });

  test("GIVEN no successful deploy yet WHEN the job runs THEN everything builds and nothing is re-tagged", () => {
    fakeGh([]);
    const run = runChangesStep();
    expect(run.status, run.stderr).toBe(0);
    expect(run.outputs.base).toBe("");
    expect(names(run.outputs["build-1"]!)).toEqual(built.map((s) => s.name));
    expect(run.outputs.retag).toBe("");
    expect(run.stdout).toContain("No previous deploy to compare with");
  });

  test("GIVEN the full-build input WHEN the job runs THEN everything builds and the GitHub API is not asked", () => {
    fakeGh([deployed]);
    const run = runChangesStep("true");
    expect(names(run.outputs["build-1"]!)).toEqual(built.map((s) => s.name));
    expect(() => readFileSync(join(root, "gh-calls"), "utf8")).toThrow();
  });

  test("GIVEN a registry edit that changed one service's build args WHEN the job runs THEN that service builds though none of its files changed", () => {
    const oldRegistry = structuredClone(defaultRegistry);
    oldRegistry.services.find((s) => s.name === "corporate")!.buildArgs = { NEXT_PUBLIC_APP_URL: "https://old.example.com" };
    write(DATA, generateWorkflows(oldRegistry).get(DATA)!);
    const old = commit("old corporate build args");
    write(DATA, generated.get(DATA)!);
    commit("new corporate build args");
    fakeGh([old]);
    const run = runChangesStep();
    expect(names(run.outputs["build-1"]!)).toEqual(["corporate"]);
    expect(run.stdout).toContain("corporate: new service, or its build definition changed");
  });

  test("GIVEN the gh query fails WHEN the job runs THEN the step fails rather than guessing a base", () => {
    writeFileSync(join(bin, "gh"), "#!/bin/sh\necho 'HTTP 403: Resource not accessible by integration' >&2\nexit 1\n");
    chmodSync(join(bin, "gh"), 0o755);
    const run = runChangesStep();
    expect(run.status).not.toBe(0);
    expect(run.stdout).toContain("::error::gh api failed: HTTP 403: Resource not accessible by integration");
  });
});

describe("changes job definition", () => {
  test("GIVEN the staging workflow WHEN reading the changes job THEN it reads workflow runs, fetches full history and writes nothing", () => {
    expect(changesJob.permissions).toEqual({ actions: "read", contents: "read" });
    expect(changesJob.steps[0]!).toMatchObject({ with: { "persist-credentials": false, "fetch-depth": 0 } });
    expect(step.run).not.toContain("${{");
    expect(step.env).toEqual({ GH_TOKEN: "${{ github.token }}", FULL_BUILD: "${{ inputs.full-build }}" });
  });
});

describe("a one-service push, end to end", () => {
  test("GIVEN a deployed cluster WHEN a push changes one backend THEN the change detection builds 1 image and the deploy rolls 1 Deployment", async () => {
    write("services/ats-service/src/index.ts", "export const changed = true;\n");
    const head = commit("change ats");
    fakeGh([deployed]);
    const changes = runChangesStep();
    expect(changes.status, changes.stderr).toBe(0);
    const builds = names(changes.outputs["build-1"]!);
    expect(builds).toEqual(["ats-service"]);

    const text = offline(workflowText);
    const plan = planFor(defaultRegistry, "staging");
    const secrets = fakeSecrets(text);
    const checkout = makeWorkdir(deployCheckout(plan, generated));
    try {
      const firstNeeds = { changes: { result: "success", outputs: { retag: "" } }, build: { result: "success", outputs: {} }, retag: { result: "skipped", outputs: {} } };
      const first = await runJob({ workflowText: text, jobId: "deploy", workdir: checkout.dir, context: pushContext("staging", secrets, { needs: firstNeeds }) });
      expect(first.conclusion).toBe("success");
      const needs = { changes: { result: "success", outputs: { retag: changes.outputs.retag! } }, build: { result: "success", outputs: {} }, retag: { result: "success", outputs: {} } };
      const context = pushContext("staging", secrets, { needs });
      context.github = { ...context.github, sha: head };
      const push = await runJob({ workflowText: text, jobId: "deploy", workdir: checkout.dir, context, cluster: first.kubeObjects });
      expect(push.conclusion).toBe("success");
      const rolled = callsOf(push.calls, "kubectl", "rollout", "status").filter((c) => c.args.includes(plan.namespace)).map((c) => c.args[2]);
      console.log(`one-service push (staging): ${builds.length} image built, ${rolled.length} Deployment rolled (${rolled.join(", ")}); the others kept ${SHA.slice(0, 7)}`);
      expect(rolled).toEqual(["deployment/ats-service"]);
    } finally {
      checkout.remove();
    }
  });
});

/**
 * The docker/build-push-action fake, through runJob: what it hands buildx for given inputs, in
 * the action's way (lists split on lines and commas, `secrets` values in files, `secret-envs` by
 * variable name), and that it fails where buildx would.
 */
import { afterEach, describe, expect, it } from "vitest";
import { callsOf } from "./calls.ts";
import { runJob } from "./run-job.ts";
import type { JobRunResult } from "./run-job.ts";
import { makeWorkdir, type Workdir } from "./test-workdir.ts";

const workdirs: Workdir[] = [];
afterEach(() => {
  for (const workdir of workdirs.splice(0)) workdir.remove();
});

const ACTION = "docker/build-push-action@53b7df96c91f9c12dcc8a07bcb9ccacbed38856a";

/** A one-job workflow whose only step is the action with these inputs and step env. */
function workflow(inputs: Record<string, string>, env: Record<string, string> = {}): string {
  const block = (key: string, values: Record<string, string>): string[] =>
    Object.keys(values).length ? [`        ${key}:`, ...Object.entries(values).map(([k, v]) => `          ${k}: ${JSON.stringify(v)}`)] : [];
  return ["jobs:", "  build:", "    steps:", "      - name: Build", "        id: build", `        uses: ${ACTION}`, ...block("env", env), ...block("with", inputs), ""].join("\n");
}

async function build(inputs: Record<string, string>, env: Record<string, string> = {}, secrets: Record<string, string> = {}): Promise<JobRunResult> {
  const workdir = makeWorkdir({ "app/Dockerfile": "FROM node:20-alpine AS production\n" });
  workdirs.push(workdir);
  return runJob({ workflowText: workflow(inputs, env), jobId: "build", workdir: workdir.dir, context: { github: { sha: "abc123" }, secrets } });
}

describe("docker/build-push-action fake", () => {
  it("GIVEN tags, cache refs, build args and a target WHEN the step runs THEN buildx gets them in the action's order, one --tag per tag, and the images are pushed", async () => {
    const result = await build({
      context: ".",
      file: "app/Dockerfile",
      target: "production",
      push: "true",
      tags: "r.io/app:1,r.io/app:latest\nr.io/app:abc123\n",
      "build-args": "A=1,2\nB",
      "cache-from": "type=registry,ref=r.io/app:cache",
      "cache-to": "type=registry,ref=r.io/app:cache,mode=max",
    }, { B: "from-env" });
    expect(result.conclusion).toBe("success");
    const [call] = callsOf(result.calls, "docker", "buildx", "build");
    expect(call!.args).toEqual([
      "buildx", "build",
      "--build-arg", "A=1,2", "--build-arg", "B",
      "--cache-from", "type=registry,ref=r.io/app:cache",
      "--cache-to", "type=registry,ref=r.io/app:cache,mode=max",
      "--file", "app/Dockerfile",
      "--tag", "r.io/app:1", "--tag", "r.io/app:latest", "--tag", "r.io/app:abc123",
      "--target", "production", "--push", ".",
    ]);
    const record = result.steps[0]!.buildPush!;
    expect(record.buildArgs).toEqual({ A: "1,2", B: "from-env" });
    expect(result.steps[0]!.stdout).toContain("pushing r.io/app:latest done");
  });

  it("GIVEN secret-envs and secrets WHEN the step runs THEN values reach buildx only through a variable name or a file, never on the command line", async () => {
    const result = await build(
      { context: ".", file: "app/Dockerfile", "secret-envs": "TOKEN=BUILD_SECRET_TOKEN", secrets: "NPM=${{ secrets.NPM_TOKEN }}" },
      { BUILD_SECRET_TOKEN: "${{ secrets.TOKEN }}" },
      { TOKEN: "token-value", NPM_TOKEN: "npm-value" },
    );
    expect(result.conclusion).toBe("success");
    const [call] = callsOf(result.calls, "docker", "buildx", "build");
    expect(call!.args.join(" ")).not.toMatch(/token-value|npm-value/);
    const secrets = result.steps[0]!.buildPush!.secrets;
    expect(secrets.map((s) => [s.id, s.source, s.value])).toEqual([["TOKEN", "env", "token-value"], ["NPM", "file", "npm-value"]]);
    expect(call!.args).toContain("id=TOKEN,env=BUILD_SECRET_TOKEN");
    expect(call!.args).toContain(`id=NPM,src=${secrets[1]!.from}`);
    // The action writes the value to a file under the runner's temp folder (gone when the job ends).
    expect(secrets[1]!.from).toMatch(/runner-temp\/build-secrets-[^/]+\/0$/);
  });

  it("GIVEN secret-envs naming a variable the step does not set WHEN the step runs THEN it fails naming the secret, and nothing is built", async () => {
    const result = await build({ context: ".", file: "app/Dockerfile", "secret-envs": "TOKEN=MISSING_VARIABLE" });
    expect(result.conclusion).toBe("failure");
    expect(result.steps[0]!.stderr).toContain("failed to read secret TOKEN: environment variable MISSING_VARIABLE is not set");
    expect(callsOf(result.calls, "docker")).toEqual([]);
  });

  it("GIVEN a target the Dockerfile does not have WHEN the step runs THEN it fails as buildx does", async () => {
    const result = await build({ context: ".", file: "app/Dockerfile", target: "runtime" });
    expect(result.conclusion).toBe("failure");
    expect(result.steps[0]!.stderr).toContain('target stage "runtime" could not be found');
  });
});

/**
 * A typed fake of docker/build-push-action (v7). It does what the action does up to the point
 * where buildx takes over: turns the inputs into the `docker buildx build` argument list, in the
 * action's order and with its input parsing (src/context.ts of v7.3.0, `getInputs`/`getArgs`),
 * and runs the harness's fake docker with it in the step's environment, so the call lands in
 * `result.calls` like any other. It also resolves what buildx would read from that environment
 * (bare `--build-arg NAME`, `--secret id=…,env=VAR`) and records all of it, so tests can assert
 * the tags, cache refs and build arguments an image got, and that no secret value is on the
 * command line or in a build argument.
 *
 * Left out, because they are the action's own bookkeeping and never come from a workflow:
 * `--iidfile`, `--metadata-file`, the default provenance `--attest`, and the GIT_AUTH_TOKEN secret
 * (only added for the default Git context; the generated workflows build the checkout, `.`).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { runProcess } from "../shell.ts";

export const BUILD_PUSH_ACTION = "docker/build-push-action";

/** A BuildKit secret as buildx receives it. */
export interface BuildSecretRecord {
  id: string;
  /** `env`: from the variable named by a `secret-envs` line; `file`: a `secrets` line the action wrote to a temporary file. */
  source: "env" | "file";
  /** The variable (`env`) or the temporary file (`file`) buildx reads. */
  from: string;
  /** What the build would see mounted; undefined when the variable is not set. */
  value: string | undefined;
}

export interface BuildPushRecord {
  /** Arguments after `docker`: `buildx build …`, as the action runs them. */
  args: string[];
  context: string;
  file?: string;
  target?: string;
  push: boolean;
  tags: string[];
  cacheFrom: string[];
  cacheTo: string[];
  /** The `build-args` lines as given (`NAME=value` or a bare `NAME`). */
  buildArgLines: string[];
  /** Build arguments as buildx resolves them: a bare NAME takes its value from the environment (and is dropped when unset). */
  buildArgs: Record<string, string>;
  secrets: BuildSecretRecord[];
}

export interface FakeActionResult {
  outcome: "success" | "failure";
  exitCode: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  buildPush: BuildPushRecord;
}

/**
 * `Util.getInputList` of @docker/actions-toolkit: one item per line, and per comma unless
 * `ignoreComma`; items trimmed, empty ones dropped.
 */
export function inputList(value: string | undefined, options: { ignoreComma?: boolean } = {}): string[] {
  if (value === undefined) return [];
  const lines = value.split(/\r?\n/);
  const items = options.ignoreComma ? lines : lines.flatMap((line) => line.split(","));
  return items.map((item) => item.trim()).filter((item) => item !== "");
}

/** `core.getBooleanInput`: only the YAML 1.2 core schema's true/false spellings are accepted. */
function booleanInput(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === "") return fallback;
  if (["true", "True", "TRUE"].includes(value)) return true;
  if (["false", "False", "FALSE"].includes(value)) return false;
  throw new TypeError(`Input does not meet YAML 1.2 "Core Schema" specification: ${name}`);
}

function splitKeyValue(kvp: string, what: string): [string, string] {
  const eq = kvp.indexOf("=");
  if (eq <= 0) throw new Error(`${what} ${kvp} is not a valid key=value pair`);
  return [kvp.slice(0, eq), kvp.slice(eq + 1)];
}

export interface BuildPushRun {
  inputs: Readonly<Record<string, string>>;
  /** The step's process environment (what the action, and buildx under it, inherit). */
  env: Readonly<Record<string, string>>;
  cwd: string;
  /** The harness's fake-tools directory, holding `docker`. */
  fakeBinDir: string;
  /** Where the action writes `secrets` values (the runner's temp folder). */
  tempDir: string;
}

export async function runBuildPushAction(run: BuildPushRun): Promise<FakeActionResult> {
  const { inputs, env } = run;
  const warnings: string[] = [];
  const context = inputs.context || ".";
  const push = booleanInput("push", inputs.push, false);
  const tags = inputList(inputs.tags);
  const cacheFrom = inputList(inputs["cache-from"], { ignoreComma: true });
  const cacheTo = inputList(inputs["cache-to"], { ignoreComma: true });
  const buildArgLines = inputList(inputs["build-args"], { ignoreComma: true });
  const secrets: BuildSecretRecord[] = [];
  const envSecretArgs: string[] = [];
  const fileSecretArgs: string[] = [];

  for (const line of inputList(inputs["secret-envs"])) {
    try {
      const [id, variable] = splitKeyValue(line, "secret-envs entry");
      secrets.push({ id, source: "env", from: variable, value: env[variable] });
      envSecretArgs.push("--secret", `id=${id},env=${variable}`);
    } catch (error) {
      warnings.push(`::warning::${(error as Error).message}`);
    }
  }
  // `secrets: key=value` lines: the action writes each value to a file and passes only its path.
  const secretDir = inputList(inputs.secrets, { ignoreComma: true }).length ? mkdtempSync(join(run.tempDir, "build-secrets-")) : "";
  for (const [i, line] of inputList(inputs.secrets, { ignoreComma: true }).entries()) {
    try {
      const [id, value] = splitKeyValue(line, "secrets entry");
      const file = join(secretDir, String(i));
      writeFileSync(file, value);
      secrets.push({ id, source: "file", from: file, value });
      fileSecretArgs.push("--secret", `id=${id},src=${file}`);
    } catch (error) {
      warnings.push(`::warning::${(error as Error).message}`);
    }
  }

  // The order of the action's getBuildArgs, for the inputs the generated workflows can set.
  const args = ["buildx", "build"];
  for (const a of buildArgLines) args.push("--build-arg", a);
  for (const c of cacheFrom) args.push("--cache-from", c);
  for (const c of cacheTo) args.push("--cache-to", c);
  args.push(...envSecretArgs);
  if (inputs.file) args.push("--file", inputs.file);
  args.push(...fileSecretArgs);
  for (const t of tags) args.push("--tag", t);
  if (inputs.target) args.push("--target", inputs.target);
  if (booleanInput("pull", inputs.pull, false)) args.push("--pull");
  if (booleanInput("no-cache", inputs["no-cache"], false)) args.push("--no-cache");
  if (push) args.push("--push");
  args.push(context);

  const buildArgs: Record<string, string> = {};
  for (const line of buildArgLines) {
    const eq = line.indexOf("=");
    if (eq > 0) buildArgs[line.slice(0, eq)] = line.slice(eq + 1);
    else if (env[line] !== undefined) buildArgs[line] = env[line]!;
  }

  const record: BuildPushRecord = { args, context, push, tags, cacheFrom, cacheTo, buildArgLines, buildArgs, secrets, ...(inputs.file ? { file: inputs.file } : {}), ...(inputs.target ? { target: inputs.target } : {}) };
  const missing = secrets.filter((s) => s.source === "env" && s.value === undefined);
  if (missing.length) {
    const stderr = missing.map((s) => `ERROR: failed to read secret ${s.id}: environment variable ${s.from} is not set\n`).join("");
    return { outcome: "failure", exitCode: 1, stdout: warnings.join("\n"), stderr, outputs: {}, buildPush: record };
  }
  const result = await runProcess({ file: join(run.fakeBinDir, "docker"), args }, { cwd: run.cwd, env: { ...env } });
  const digest = `sha256:${createHash("sha256").update(tags.join("\n")).digest("hex")}`;
  return {
    outcome: result.exitCode === 0 ? "success" : "failure",
    exitCode: result.exitCode,
    stdout: [...warnings, result.stdout].filter(Boolean).join("\n"),
    stderr: result.stderr,
    outputs: result.exitCode === 0 ? { digest, imageid: digest, metadata: JSON.stringify({ "containerimage.digest": digest, "image.name": tags.join(",") }) } : {},
    buildPush: record,
  };
}

/**
 * Installs the fake CLIs for one job run and reads back what they recorded. Each fake is a
 * two-line sh wrapper that execs fakes/main.mjs with the tool name; main.mjs stays in the repo
 * (rather than being copied) so it can import `yaml` from the project's node_modules.
 */
import { accessSync, chmodSync, constants, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { DelayRule, FailRule, KubeObject, ToolCall } from "./types.ts";

/** Tools always faked. `pnpm` is here too because real workflows run `pnpm install` before building. */
export const FAKE_TOOLS = ["kubectl", "az", "docker", "sentry-cli", "npm", "npx", "pnpm", "curl", "wget"] as const;

/** Variables the harness adds for its fakes; they are left out of each step's reported envKeys. */
export const HARNESS_VARIABLE_PREFIX = "HARNESS_";

const FAKE_ENTRY = fileURLToPath(new URL("./fakes/main.mjs", import.meta.url));

export interface FakeToolbox {
  binDir: string;
  /** HARNESS_LOG, HARNESS_RULES and HARNESS_STATE, for every step's environment. */
  env: Record<string, string>;
  logPath: string;
  stateDir: string;
  /** Whether envsubst is the fake (no GNU gettext envsubst was found on the system PATH). */
  fakeEnvsubst: boolean;
}

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** Looks a command up in the given directories only, never in this process's own PATH. */
export function findExecutable(name: string, dirs: readonly string[]): string | undefined {
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

export function installFakeTools(root: string, rules: { fail: FailRule[]; delays: DelayRule[] }, systemPath: readonly string[], cluster: readonly KubeObject[] = []): FakeToolbox {
  const binDir = join(root, "bin");
  const stateDir = join(root, "state");
  const logPath = join(root, "calls.jsonl");
  const rulesPath = join(root, "rules.json");
  mkdirSync(binDir, { recursive: true });
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(logPath, "");
  writeFileSync(rulesPath, JSON.stringify(rules));
  // The same layout as fakes/state.mjs: one file per object, named by its encoded key.
  mkdirSync(join(stateDir, "kube"), { recursive: true });
  for (const o of cluster) writeFileSync(join(stateDir, "kube", `${encodeURIComponent(`${o.kind}|${o.namespace}|${o.name}`)}.json`), JSON.stringify(o));
  const fakeEnvsubst = findExecutable("envsubst", systemPath) === undefined;
  const tools: string[] = [...FAKE_TOOLS, ...(fakeEnvsubst ? ["envsubst"] : [])];
  for (const tool of tools) {
    const wrapper = join(binDir, tool);
    writeFileSync(wrapper, `#!/bin/sh\nexec ${shellQuote(process.execPath)} ${shellQuote(FAKE_ENTRY)} ${shellQuote(tool)} "$@"\n`);
    chmodSync(wrapper, 0o755);
  }
  return {
    binDir,
    env: { HARNESS_LOG: logPath, HARNESS_RULES: rulesPath, HARNESS_STATE: stateDir },
    logPath,
    stateDir,
    fakeEnvsubst,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function toToolCall(line: string): ToolCall {
  const value: unknown = JSON.parse(line);
  if (!isRecord(value) || typeof value.tool !== "string" || !Array.isArray(value.args)) {
    throw new Error(`harness bug: malformed call record ${line}`);
  }
  const call: ToolCall = {
    tool: value.tool,
    args: value.args.map(String),
    step: String(value.step ?? ""),
    cwd: String(value.cwd ?? ""),
    startedMs: Number(value.startedMs),
    endedMs: Number(value.endedMs),
    exitCode: Number(value.exitCode),
  };
  if (typeof value.stdin === "string") call.stdin = value.stdin;
  return call;
}

export function readToolCalls(logPath: string): ToolCall[] {
  return readFileSync(logPath, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map(toToolCall);
}

/** Final cluster state, sorted by kind, namespace, name (the order has no meaning of its own). */
export function readKubeObjects(stateDir: string): KubeObject[] {
  const dir = join(stateDir, "kube");
  if (!existsSync(dir)) return [];
  const objects = readdirSync(dir)
    .filter((file) => file.endsWith(".json"))
    .map((file): KubeObject => {
      const value: unknown = JSON.parse(readFileSync(join(dir, file), "utf8"));
      if (!isRecord(value) || !isRecord(value.manifest)) throw new Error(`harness bug: malformed object file ${file}`);
      return {
        kind: String(value.kind),
        namespace: String(value.namespace),
        name: String(value.name),
        manifest: value.manifest,
        step: String(value.step ?? ""),
        ...(Array.isArray(value.history) ? { history: value.history as Record<string, unknown>[] } : {}),
      };
    });
  const key = (o: KubeObject) => `${o.kind}\u0000${o.namespace}\u0000${o.name}`;
  return objects.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

// @ts-check
/**
 * Entry point of every fake tool: `node main.mjs <tool> <args…>`, called by the wrapper scripts
 * the harness puts first on PATH. It applies the test's delay and fail rules, runs the tool's
 * handler, appends one JSON line describing the call to $HARNESS_LOG, then prints the output.
 * Logging before printing matters: in `kubectl create … | kubectl apply -f -` the writer is then
 * always logged before the reader, whose stdin only closes once the writer has finished.
 */
import { appendFileSync, existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** @typedef {import("./result.mjs").ToolResult} ToolResult */
/** @typedef {{ tool: string, argsInclude: string[] }} Matcher */
/** @typedef {{ fail: Array<Matcher & { exitCode?: number, stderr?: string, times?: number }>, delays: Array<Matcher & { seconds: number }> }} Rules */

/**
 * @param {Matcher} rule
 * @param {string} tool
 * @param {string[]} args
 */
function matches(rule, tool, args) {
  return rule.tool === tool && rule.argsInclude.every((wanted) => args.includes(wanted));
}

/**
 * Which calls read stdin: only those that would on a real system, so a fake never blocks.
 * @param {string} tool
 * @param {string[]} args
 */
async function readsStdin(tool, args) {
  if (tool === "kubectl") return (await import("./kubectl.mjs")).kubectlReadsStdin(args);
  if (tool === "docker") return (await import("./docker.mjs")).dockerReadsStdin(args);
  return tool === "envsubst";
}

/**
 * Handlers load lazily so a `docker` call does not pay for parsing kubectl's YAML library.
 * @param {string} tool
 * @returns {Promise<import("./result.mjs").ToolHandler>}
 */
async function handlerFor(tool) {
  switch (tool) {
    case "kubectl":
      return (await import("./kubectl.mjs")).kubectl;
    case "docker":
      return (await import("./docker.mjs")).docker;
    case "envsubst":
      return (await import("./envsubst.mjs")).envsubst;
    case "az":
      return (await import("./cloud.mjs")).az;
    case "sentry-cli":
      return (await import("./cloud.mjs")).sentryCli;
    case "curl":
      return (await import("./cloud.mjs")).networkDisabled("curl", 7);
    case "wget":
      return (await import("./cloud.mjs")).networkDisabled("wget", 4);
    default:
      return (await import("./cloud.mjs")).recordOnly;
  }
}

async function main() {
  const [tool = "", ...args] = process.argv.slice(2);
  const startedMs = Date.now();
  const { HARNESS_LOG: logPath, HARNESS_RULES: rulesPath, HARNESS_STATE: stateDir, HARNESS_STEP: step = "" } = process.env;
  if (!logPath || !rulesPath || !stateDir) {
    process.stderr.write(`harness: fake ${tool} was run outside the job harness (HARNESS_LOG/RULES/STATE unset)\n`);
    process.exitCode = 70;
    return;
  }
  /** @type {Rules} */
  const rules = JSON.parse(readFileSync(rulesPath, "utf8"));
  const stdin = (await readsStdin(tool, args)) ? readFileSync(0, "utf8") : undefined;
  const delay = rules.delays.find((rule) => matches(rule, tool, args));
  if (delay) await new Promise((done) => setTimeout(done, delay.seconds * 1000));
  // A rule with `times` fails only its first matching calls: one byte per use in a counter file.
  const used = (/** @type {number} */ i) => {
    const file = join(stateDir, `fail-rule-${i}.count`);
    return existsSync(file) ? statSync(file).size : 0;
  };
  const index = rules.fail.findIndex((rule, i) => matches(rule, tool, args) && (rule.times === undefined || used(i) < rule.times));
  const failure = index === -1 ? undefined : rules.fail[index];
  if (failure?.times !== undefined) appendFileSync(join(stateDir, `fail-rule-${index}.count`), "x");
  /** @type {ToolResult} */
  let result;
  if (failure) {
    const stderr = failure.stderr ?? `harness: fail rule matched: ${tool} ${args.join(" ")}`;
    result = { exitCode: failure.exitCode ?? 1, stdout: "", stderr: stderr.endsWith("\n") ? stderr : `${stderr}\n` };
  } else {
    try {
      result = await (await handlerFor(tool))(args, { cwd: process.cwd(), env: process.env, stdin, stateDir, step });
    } catch (error) {
      // A crash here is a harness bug, not a workflow failure: say so distinctly (exit 70, EX_SOFTWARE).
      result = { exitCode: 70, stdout: "", stderr: `harness bug: fake ${tool} crashed: ${error instanceof Error ? error.stack : String(error)}\n` };
    }
  }
  const record = { tool, args, step, cwd: process.cwd(), stdin, startedMs, endedMs: Date.now(), exitCode: result.exitCode };
  appendFileSync(logPath, `${JSON.stringify(record)}\n`);
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  process.exitCode = result.exitCode;
}

await main();

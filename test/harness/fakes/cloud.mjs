// @ts-check
/**
 * Fakes for the CLIs a deploy job only needs to "succeed": az, sentry-cli and the package
 * managers record the call and exit 0. curl and wget fail loudly instead, because a workflow that
 * downloads and runs installers (`curl … | bash`) is exactly what a test should notice.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { flagMissingValue, flagValue, parseArgs } from "./args.mjs";
import { fail, ok } from "./result.mjs";

const AZ_VALUE_FLAGS = new Set(["-n", "--name", "-g", "--resource-group", "-o", "--output", "--query", "--subscription", "-u", "--username", "-p", "--password", "--tenant"]);

/**
 * Requires the value flags argparse would require, with its wording and exit code 2.
 * @param {import("./args.mjs").ParsedArgs} parsed
 * @param {Array<[string, string]>} required pairs of long and short names
 */
function missingArguments(parsed, required) {
  const missing = required.filter(([long, short]) => flagMissingValue(parsed, long, short) || flagValue(parsed, long, short) === undefined);
  if (missing.length === 0) return undefined;
  return fail(`ERROR: the following arguments are required: ${missing.map(([long, short]) => `${long}/${short}`).join(", ")}`, 2);
}

/** @type {import("./result.mjs").ToolHandler} */
export function az(args, io) {
  const parsed = parseArgs(args, AZ_VALUE_FLAGS);
  const command = parsed.positional.slice(0, 2).join(" ");
  if (command === "acr login") {
    return missingArguments(parsed, [["--name", "-n"]]) ?? ok("Login Succeeded\n");
  }
  if (command === "aks get-credentials") {
    const missing = missingArguments(parsed, [["--resource-group", "-g"], ["--name", "-n"]]);
    if (missing) return missing;
    const name = flagValue(parsed, "--name", "-n") ?? "";
    const kubeDir = join(io.env.HOME ?? io.cwd, ".kube");
    mkdirSync(kubeDir, { recursive: true });
    writeFileSync(join(kubeDir, "config"), `apiVersion: v1\nkind: Config\ncurrent-context: ${name}\n`);
    return ok(`Merged "${name}" as current context in ${join(kubeDir, "config")}\n`);
  }
  if (command === "account show") return ok(`${JSON.stringify({ id: "00000000-0000-0000-0000-000000000000", name: "harness" }, null, 2)}\n`);
  return ok();
}

/** @type {import("./result.mjs").ToolHandler} */
export function sentryCli(args) {
  if (args[0] === "--version") return ok("sentry-cli 2.0.0-harness\n");
  const [group, action, release] = args;
  if (group === "releases" && action === "new" && release) return ok(`Created release ${release}\n`);
  return ok();
}

/** @type {import("./result.mjs").ToolHandler} */
export function recordOnly() {
  return ok();
}

/**
 * @param {string} tool
 * @param {number} exitCode the real tool's code for "could not connect"
 * @returns {import("./result.mjs").ToolHandler}
 */
export function networkDisabled(tool, exitCode) {
  return (args) => fail(`harness: ${tool} is disabled, this job has no network: ${tool} ${args.join(" ")}`, exitCode);
}

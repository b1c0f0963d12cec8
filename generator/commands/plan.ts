/**
 * `gen:workflows plan [--env <name>] [--format text|json|mermaid] [--config] [--root]`: the
 * deploy plan the registry generates (phases, secret groups, Sentry services) and what differs
 * between the environments, and what prune would delete compared with the committed data files.
 * Reads the registry and those files; writes nothing.
 */
import { parseArgs } from "node:util";
import { EXIT, type CliIo } from "../cli-types.ts";
import { usageError } from "./usage.ts";
import { formatDiagnosticText, hasErrors, listOptions, sortDiagnostics } from "../diagnostics.ts";
import { planAll } from "../plan/plan.ts";
import { planDifferences, planJson, planMermaid, planText } from "../plan/plan-view.ts";
import { loadProject } from "./project.ts";
import { join } from "node:path";
import { readIfExists } from "../io.ts";
import { dataFileOf } from "../render/support-paths.ts";
import { type DeployData, parseDeployData } from "../runner/data.ts";

/** The committed data file, or undefined when it is missing or not ours to read (hand-edited past parsing). */
function committedDeployData(path: string): DeployData | undefined {
  try {
    const text = readIfExists(path);
    return text === undefined ? undefined : parseDeployData(text);
  } catch {
    return undefined;
  }
}

export async function runPlan(args: string[], io: CliIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: { env: { type: "string" }, format: { type: "string", default: "text" }, config: { type: "string" }, root: { type: "string" } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    return usageError(io, (e as Error).message);
  }
  const format = values.format;
  if (format !== "text" && format !== "json" && format !== "mermaid") return usageError(io, `--format must be text, json or mermaid, got "${format}"`);
  const { paths, result, diagnostics } = await loadProject({ config: values.config, root: values.root, format: "text" }, io);
  if (hasErrors(diagnostics) || !result.registry) {
    io.stderr(sortDiagnostics(diagnostics).map(formatDiagnosticText).join("\n") + `\ngen:workflows: ${paths.configFile} has errors; fix them to see the plan.\n`);
    return EXIT.usage;
  }
  const all = planAll(result.registry);
  const envs = all.map((p) => p.environment);
  if (values.env !== undefined && !envs.includes(values.env)) return usageError(io, `unknown environment "${values.env}" (known: ${listOptions(envs)})`);
  const plans = values.env === undefined ? all : all.filter((p) => p.environment === values.env);
  // Differences are always between all environments: they are what --env hides.
  const differences = planDifferences(all);
  // What each environment's deploy last ran with, to say what prune would delete.
  const committed = new Map<string, DeployData>();
  for (const p of plans) {
    const data = committedDeployData(join(paths.root, dataFileOf(p)));
    if (data) committed.set(p.environment, data);
  }
  if (format === "json") io.stdout(planJson(plans, differences, committed));
  else if (format === "mermaid") io.stdout(planMermaid(plans));
  else io.stdout(planText(plans, values.env === undefined ? differences : [], committed));
  return EXIT.ok;
}

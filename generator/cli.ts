/**
 * argv -> run -> print -> exit code. The only module that knows about argv, stdout/stderr and
 * exit codes: 0 ok, 1 drift or finding, 2 usage or configuration error, 3 internal bug.
 */
import { parseArgs } from "node:util";
import { EXIT, type CliIo, type CommonOptions } from "./cli-types.ts";
import { runGenerate } from "./commands/generate.ts";
import { USAGE, usageError } from "./commands/usage.ts";
import { commandOf, reportThrown, watchStdout, wantsJson } from "./error-boundary.ts";
import { error, JSON_SCHEMA_VERSION } from "./diagnostics.ts";

export { EXIT, type CliIo } from "./cli-types.ts";

const SUBCOMMANDS = ["audit", "import", "add-service", "plan", "init"] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];


/** Runs one command. Never throws: whatever a command throws becomes one report (error-boundary.ts). */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const watched = watchStdout(io);
  try {
    return await dispatch(argv, watched.io);
  } catch (e) {
    return reportThrown(e, argv, io, watched.printed());
  }
}

async function dispatch(argv: readonly string[], io: CliIo): Promise<number> {
  const first = argv[0];
  if (first === "--help" || first === "-h" || first === "help") {
    io.stdout(USAGE);
    return EXIT.ok;
  }
  const sub = SUBCOMMANDS.find((s) => s === first);
  if (sub) return runSubcommandWithJsonUsage(sub, argv, io);
  if (first !== undefined && !first.startsWith("-")) return usage(argv, io, `unknown command "${first}" (commands: ${SUBCOMMANDS.join(", ")}; none runs gen)`);

  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        check: { type: "boolean", default: false },
        staged: { type: "boolean", default: false },
        force: { type: "boolean", default: false },
        "adopt-pins": { type: "boolean", default: false },
        config: { type: "string" },
        root: { type: "string" },
        format: { type: "string", default: "text" },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (e) {
    return usage(argv, io, (e as Error).message);
  }
  const { values } = parsed;
  const format = values.format;
  if (format !== "text" && format !== "json") return usage(argv, io, `--format must be text or json, got "${format}"`);
  if (values.check && (values.force || values["adopt-pins"])) return usage(argv, io, "--check writes nothing: it cannot be combined with --force or --adopt-pins");
  if (values.staged && !values.check) return usage(argv, io, "--staged checks the git index: use it with --check");
  const common: CommonOptions = { config: values.config, root: values.root, format };
  if (values["adopt-pins"]) {
    const { runAdoptPins } = await import("./commands/adopt-pins.ts");
    return runAdoptPins(common, io);
  }
  if (values.staged) return (await import("./commands/check-staged.ts")).runStagedCheck({ ...common, check: true, force: false }, io);
  return runGenerate({ ...common, check: values.check, force: values.force }, io);
}

async function runSubcommand(sub: Subcommand, args: string[], io: CliIo): Promise<number> {
  // Each subcommand loads only when used: ts-morph alone costs ~200 ms to import.
  switch (sub) {
    case "audit":
      return (await import("./commands/audit.ts")).runAudit(args, io);
    case "import":
      return (await import("./commands/import.ts")).runImport(args, io);
    case "add-service":
      return (await import("./commands/add-service.ts")).runAddService(args, io);
    case "plan":
      return (await import("./commands/plan.ts")).runPlan(args, io);
    case "init":
      return (await import("./commands/init.ts")).runInit(args, io);
  }
}

/** A usage error of gen/--check; with `--format json` also the run's one JSON document. */
function usage(argv: readonly string[], io: CliIo, message: string): number {
  if (wantsJson(argv)) io.stdout(usageDocument(argv, message));
  return usageError(io, message);
}

function usageDocument(argv: readonly string[], message: string): string {
  const diagnostic = error("USAGE", message, { file: "(command line)", fix: "see `pnpm gen:workflows --help`" });
  return JSON.stringify({ schemaVersion: JSON_SCHEMA_VERSION, command: commandOf(argv), status: "usage-error", diagnostics: [diagnostic] }, null, 2) + "\n";
}

/**
 * A subcommand's usage errors are printed by the subcommand, as text. With `--format json` a run
 * that exits 2 without having printed its document still gets one: the usage error, as data.
 */
async function runSubcommandWithJsonUsage(sub: Subcommand, argv: readonly string[], io: CliIo): Promise<number> {
  if (!wantsJson(argv)) return runSubcommand(sub, argv.slice(1), io);
  const watched = watchStdout(io);
  let firstError: string | undefined;
  const code = await runSubcommand(sub, argv.slice(1), { ...watched.io, stderr: (t) => ((firstError ??= t), io.stderr(t)) });
  if (code === EXIT.usage && !watched.printed()) io.stdout(usageDocument(argv, (firstError ?? "usage error").split("\n")[0]!.replace(/^gen:workflows: /, "")));
  return code;
}

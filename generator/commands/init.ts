/**
 * `gen-workflows init [--root <dir>] [--config services.config.ts] [--production <file> --staging <file>]`:
 * sets the tool up in an existing repository.
 *
 * - the registry: with hand-written deploy workflows, `import` reads them (and the plan of the
 *   imported registry is shown); without, a starter registry read from the tree, every guess
 *   marked `// init: guessed …`;
 * - the `gen:workflows` script in package.json (its formatting kept);
 * - the pre-commit check (`--check --staged`) in the hook manager the repository uses (lefthook,
 *   husky, simple-git-hooks; lefthook when none);
 * - the sync-check workflow `.github/workflows/workflows-sync.yml`;
 * then the next three steps.
 *
 * It never overwrites: an existing file is reported and left alone, and a second run changes
 * nothing. Everything is decided (and the registry loaded and generated in memory) before
 * anything is written; then every file is written as one WriteSet.
 *
 * Exit codes: 0 done; 1 done, but the import could not map everything (listed); 2 usage error or
 * the workflows cannot be paired; 3 a bug (the registry written would not generate).
 */
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { diskRepoFiles } from "../audit/fs-repo-files.ts";
import { EXIT, type CliIo } from "../cli-types.ts";
import { commandPrefix, fixCommand, shellQuote, type CommandFacts } from "../check/user-command.ts";
import { formatDiagnosticText, hasErrors, sortDiagnostics } from "../diagnostics.ts";
import { toPosix } from "../io.ts";
import { findDeployWorkflows } from "../scaffold/init/deploy-workflows.ts";
import { addHook, detectHookManager, type HookPlan } from "../scaffold/init/hooks.ts";
import { addMember } from "../scaffold/init/json-text.ts";
import { starterRegistry } from "../scaffold/init/starter-registry.ts";
import { syncWorkflowText } from "../scaffold/init/sync-workflow.ts";
import { applyWriteSet, type WriteOp } from "../write-set.ts";
import { commandFactsAt } from "./fix-command.ts";
import { runImport } from "./import.ts";
import { loadProject } from "./project.ts";
import { usageError } from "./usage.ts";

const SYNC_WORKFLOW = ".github/workflows/workflows-sync.yml";
/** How each package manager runs an installed package's bin. */
const RUN_BIN: Record<CommandFacts["packageManager"], string> = { pnpm: "pnpm exec", npm: "npx", yarn: "yarn", bun: "bunx" };
const PACKAGE_NAME = "gen-workflows";

/** One line of the report: what init did with one file. */
interface Outcome {
  path: string;
  action: "created" | "edited" | "left alone" | "skipped";
  why: string;
}

export async function runInit(args: string[], io: CliIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: { root: { type: "string" }, config: { type: "string", default: "services.config.ts" }, production: { type: "string" }, staging: { type: "string" } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    return usageError(io, (e as Error).message);
  }
  if ((values.production === undefined) !== (values.staging === undefined)) return usageError(io, "init takes --production and --staging together (or neither, to find them)");
  const root = resolve(io.cwd, values.root ?? ".");
  const files = diskRepoFiles(root);
  if (!files.exists("") || files.read("") !== undefined) return usageError(io, `--root ${values.root ?? "."}: no such folder`);
  const configPath = resolve(root, values.config);
  const configFile = toPosix(relative(root, configPath));
  if (configFile.startsWith("..")) return usageError(io, `--config ${values.config}: the registry must be inside the repository (${root})`);

  const outcomes: Outcome[] = [];
  const writes: WriteOp[] = [];
  const create = (path: string, content: string, why: string): void => {
    writes.push({ path: join(root, path), content });
    outcomes.push({ path, action: "created", why });
  };
  const packageJson = files.read("package.json");
  const facts = commandFactsAt(root);

  // 1. The registry.
  let exitCode: number = EXIT.ok;
  let afterWrite = "";
  let imported = false;
  const registryExisted = files.exists(configFile);
  if (registryExisted) outcomes.push({ path: configFile, action: "left alone", why: "exists; init never overwrites it" });
  else {
    const found = values.production !== undefined ? { production: values.production, staging: values.staging, unpaired: [] } : findDeployWorkflows(files);
    let registryText: string;
    if (found.production !== undefined && found.staging !== undefined) {
      // import writes through our writer, so its registry joins this run's WriteSet.
      let captured: string | undefined;
      let report = "";
      // Run from the root, so its report names files as the repository does.
      const importIo: CliIo = { ...io, cwd: root, stdout: (t) => void (report += t) };
      const code = await runImport(
        ["--production", toPosix(relative(root, resolve(root, found.production))), "--staging", toPosix(relative(root, resolve(root, found.staging!))), "--out", configFile, "--root", "."],
        importIo,
        (_, text) => void (captured = text),
      );
      if (captured === undefined) {
        io.stdout(report);
        io.stderr("gen:workflows: init: the import wrote no registry; nothing was written.\n");
        return code;
      }
      exitCode = code;
      registryText = captured;
      imported = true;
      afterWrite = report;
      outcomes.push({ path: configFile, action: "created", why: `imported from ${toPosix(relative(root, resolve(root, found.production)))} and ${toPosix(relative(root, resolve(root, found.staging!)))}` });
      writes.push({ path: configPath, content: registryText });
    } else if (found.production !== undefined || found.staging !== undefined || found.unpaired.length) {
      const all = [found.production, found.staging, ...found.unpaired].filter((f): f is string => f !== undefined);
      io.stderr(
        `gen:workflows: init: found deploy workflows ${all.join(", ")}, but not one production and one staging workflow to import; nothing was written.\n` +
          `  fix: name them: \`${commandPrefix(facts).prefix} ${commandPrefix(facts).argsSeparator}init --production <file> --staging <file>\`\n`,
      );
      return EXIT.usage;
    } else {
      // The loader binds "gen-workflows" to the running tool, installed or not; with the package
      // installed, the editor types the registry from it.
      const starter = starterRegistry(files, PACKAGE_NAME);
      registryText = starter.source;
      outcomes.push({ path: configFile, action: "created", why: `starter registry: ${starter.services} services from the tree, ${starter.guesses} guesses marked \`// init: guessed\`` });
      writes.push({ path: configPath, content: registryText });
    }
    // Whatever init writes must load and generate, before anything is written.
    const loaded = await loadProject({ config: configPath, root, format: "text" }, io, registryText);
    if (hasErrors(loaded.diagnostics) || !loaded.result.registry) {
      // The repository's own templates, the environment or a deadline the user set: theirs to fix.
      // Anything else means init wrote a registry that does not generate: a bug here.
      if (loaded.diagnostics.some((d) => d.severity === "error" && /^(CONFIG_LOAD_TIMEOUT|TEMPLATE_|IO_|PATH_NOT_A_FILE)/.test(d.code))) {
        io.stderr(`${sortDiagnostics(loaded.diagnostics).map(formatDiagnosticText).join("\n")}\ngen:workflows: init stopped; nothing was written.\n`);
        return EXIT.usage;
      }
      io.stderr(`${sortDiagnostics(loaded.diagnostics).map(formatDiagnosticText).join("\n")}\ngen:workflows: internal error (this is a bug, please report it): the registry init would write does not generate; nothing was written.\n`);
      return EXIT.internal;
    }
    if (imported) {
      const { planAll } = await import("../plan/plan.ts");
      const { planDifferences, planText } = await import("../plan/plan-view.ts");
      const plans = planAll(loaded.result.registry);
      afterWrite += `\nThe plan of the imported registry:\n\n${planText(plans, planDifferences(plans))}`;
    }
  }

  // A registry elsewhere than services.config.ts at the root: every command names it, and the root.
  const pathArgs = configFile === "services.config.ts" ? [] : ["--config", shellQuote(configFile), "--root", "."];
  const script = [PACKAGE_NAME, ...pathArgs].join(" ");

  // 2. The gen:workflows script.
  let hasScript = facts.hasScript;
  if (packageJson === undefined) outcomes.push({ path: "package.json", action: "skipped", why: `no package.json here: add the script \`"gen:workflows": "${script}"\` where you install ${PACKAGE_NAME}` });
  else {
    const edit = addMember(packageJson, ["scripts"], "gen:workflows", script);
    if ("text" in edit) {
      writes.push({ path: join(root, "package.json"), content: edit.text });
      outcomes.push({ path: "package.json", action: "edited", why: `added the script "gen:workflows": "${script}"` });
      hasScript = true;
    } else outcomes.push({ path: "package.json", action: "left alone", why: "unchanged" in edit ? "it already has a gen:workflows script" : `${edit.error}; add the script "gen:workflows": "${script}" yourself` });
  }
  const after: CommandFacts = { ...facts, hasScript };
  // The script, once there, knows where the registry is; the bin is told.
  const pathsGiven = hasScript || !pathArgs.length ? {} : { config: configFile, root: "." };
  const cmd = fixCommand(after, pathsGiven);

  // 3. The pre-commit check.
  const hook = detectHookManager(files, packageJson);
  const bin = commandPrefix({ ...facts, hasScript: false });
  const hookCommand = `${bin.prefix} ${bin.argsSeparator}${["--check", "--staged", ...pathArgs].join(" ")}`;
  // simple-git-hooks may live in package.json, which step 2 may have edited already.
  const target = join(root, hook.file);
  const pending = writes.findIndex((w) => w.path === target);
  const pendingWrite = pending >= 0 ? writes[pending] : undefined;
  const hookCurrent = pendingWrite && "content" in pendingWrite ? pendingWrite.content : files.read(hook.file);
  const hookEdit = addHook(hook, hookCurrent, { command: hookCommand, glob: [configFile, "templates/**", ".github/**"] });
  if ("text" in hookEdit) {
    if (pending >= 0) writes.splice(pending, 1);
    writes.push({ path: target, content: hookEdit.text });
    outcomes.push({ path: hook.file, action: hookCurrent !== undefined ? "edited" : "created", why: `pre-commit (${hook.manager}${hook.existing ? "" : ", as the repository has no hook manager"}) runs \`${hookCommand}\`` });
  } else outcomes.push({ path: hook.file, action: "left alone", why: "unchanged" in hookEdit ? hookEdit.unchanged : hookEdit.manual });

  // 4. The sync-check workflow.
  if (files.exists(SYNC_WORKFLOW)) outcomes.push({ path: SYNC_WORKFLOW, action: "left alone", why: "exists; init never overwrites it" });
  else {
    const text = syncWorkflowText(after.packageManager, cmd.gen("--check"), ["main", "staging"]);
    const { validateWorkflow } = await import("../render/validate.ts");
    const invalid = await validateWorkflow(SYNC_WORKFLOW, text);
    if (invalid.length) {
      io.stderr(`${invalid.map(formatDiagnosticText).join("\n")}\ngen:workflows: internal error: the sync-check workflow failed validation; nothing was written.\n`);
      return EXIT.internal;
    }
    create(SYNC_WORKFLOW, text, "the required status check: runs the check on pull requests and deploy-branch pushes");
  }

  applyWriteSet(writes);
  io.stdout(outcomes.map((o) => `${o.action.padEnd(10)} ${o.path}: ${o.why}\n`).join(""));
  if (afterWrite) io.stdout(`\n${afterWrite.trimEnd()}\n`);
  const elsewhere = toPosix(relative(io.cwd, root));
  io.stdout(`\n${nextSteps({ registry: imported ? "imported" : registryExisted ? "existing" : "starter", cmd, hook, hookInstalled: hook.existing, configFile, facts: after, wrote: writes.length > 0, cd: elsewhere && elsewhere !== "." ? elsewhere : undefined })}`);
  return exitCode;
}

function nextSteps(s: { registry: "imported" | "starter" | "existing"; cmd: ReturnType<typeof fixCommand>; hook: HookPlan; hookInstalled: boolean; configFile: string; facts: CommandFacts; wrote: boolean; cd: string | undefined }): string {
  const install: Record<CommandFacts["packageManager"], string> = {
    pnpm: `pnpm add -D lefthook && ${RUN_BIN.pnpm} lefthook install`,
    npm: `npm install -D lefthook && ${RUN_BIN.npm} lefthook install`,
    yarn: `yarn add -D lefthook && ${RUN_BIN.yarn} lefthook install`,
    bun: `bun add -d lefthook && ${RUN_BIN.bun} lefthook install`,
  };
  const hookNote =
    s.hook.manager === "lefthook" && !s.hookInstalled
      ? [`The hook needs lefthook: \`${install[s.facts.packageManager]}\`.`]
      : s.hook.manager === "simple-git-hooks"
        ? [`simple-git-hooks installs hooks when told: run \`${RUN_BIN[s.facts.packageManager]} simple-git-hooks\` once.`]
        : [];
  const commit = `Commit: \`git add -A && git commit -m "Generate the deploy workflows from ${s.configFile}"\`, then make \`workflows-sync / check\` a required status check.`;
  const steps: Record<typeof s.registry, string[]> = {
    imported: [`Review the \`// import:\` comments in ${s.configFile} and the plan above.`, `Replace the hand-written workflows with generated ones: \`${s.cmd.gen("--force")}\`.`, commit],
    starter: [`Check every \`// init: guessed\` line in ${s.configFile} (\`${s.cmd.subcommand("audit")}\` compares it with the tree).`, `Generate both workflows: \`${s.cmd.gen()}\`.`, commit],
    existing: [`Check ${s.configFile} against the tree: \`${s.cmd.subcommand("audit")}\`.`, `Generate the workflows: \`${s.cmd.gen()}\` (add \`--force\` to replace hand-written ones at the same paths).`, commit],
  };
  return [
    ...(s.wrote ? [] : ["Nothing to do: everything init sets up is already here."]),
    ...hookNote,
    s.cd ? `Next, in ${s.cd}:` : "Next:",
    ...steps[s.registry].map((t, i) => `  ${i + 1}. ${t}`),
    "",
  ].join("\n");
}

/**
 * The pre-commit check, added to the hook manager the repository already uses: lefthook
 * (`lefthook.yml`), husky (`.husky/pre-commit`) or simple-git-hooks (package.json or its own
 * file); lefthook when it has none. Existing hooks are kept: the check is added beside them, and
 * a hook that already runs the tool is left alone. Pure text edits; the caller writes.
 */
import { isMap, isSeq, parseDocument, type Node } from "yaml";
import type { RepoFiles } from "../../audit/repo-files.ts";
import { addMember, replaceString, stringAt } from "./json-text.ts";

export type HookManager = "lefthook" | "husky" | "simple-git-hooks";

export interface HookPlan {
  manager: HookManager;
  /** The file that holds the hook (repository-relative). */
  file: string;
  /** Whether the repository already used this manager (false: init chose lefthook). */
  existing: boolean;
}

const LEFTHOOK_FILES = ["lefthook.yml", "lefthook.yaml", ".lefthook.yml", ".lefthook.yaml"];
const SIMPLE_GIT_HOOKS_FILES = [".simple-git-hooks.json", "simple-git-hooks.json"];

/** Which manager, and which of its files: config files first, then what package.json lists. */
export function detectHookManager(files: RepoFiles, packageJson: string | undefined): HookPlan {
  const lefthook = LEFTHOOK_FILES.find((f) => files.exists(f));
  if (lefthook) return { manager: "lefthook", file: lefthook, existing: true };
  if (files.exists(".husky")) return { manager: "husky", file: ".husky/pre-commit", existing: true };
  const sghFile = SIMPLE_GIT_HOOKS_FILES.find((f) => files.exists(f));
  if (sghFile) return { manager: "simple-git-hooks", file: sghFile, existing: true };
  let manifest: Record<string, unknown> = {};
  try {
    manifest = packageJson ? (JSON.parse(packageJson) as Record<string, unknown>) : {};
  } catch {
    // an unreadable package.json lists nothing
  }
  if (manifest && typeof manifest === "object" && Object.hasOwn(manifest, "simple-git-hooks")) return { manager: "simple-git-hooks", file: "package.json", existing: true };
  const deps = { ...(manifest.devDependencies as object | undefined), ...(manifest.dependencies as object | undefined) };
  if (Object.hasOwn(deps, "husky")) return { manager: "husky", file: ".husky/pre-commit", existing: true };
  if (Object.hasOwn(deps, "simple-git-hooks")) return { manager: "simple-git-hooks", file: "package.json", existing: true };
  return { manager: "lefthook", file: "lefthook.yml", existing: Object.hasOwn(deps, "lefthook") };
}

export interface HookCheck {
  /** The command the hook runs, e.g. `pnpm exec gen-workflows --check --staged`. */
  command: string;
  /** Paths whose staging triggers the check (lefthook's `glob`). */
  glob: string[];
}

export type HookEdit = { text: string } | { unchanged: string } | { manual: string };

const RUNS_TOOL = /gen-workflows|gen:workflows/;

/** The new text of `plan.file` (undefined when it does not exist yet), or why it stays as it is. */
export function addHook(plan: HookPlan, current: string | undefined, check: HookCheck): HookEdit {
  if (current !== undefined && plan.manager !== "simple-git-hooks" && RUNS_TOOL.test(current)) return { unchanged: "it already runs gen-workflows" };
  switch (plan.manager) {
    case "lefthook":
      return current === undefined ? { text: newLefthookFile(check) } : addLefthookJob(current, check);
    case "husky":
      if (current === undefined) return { text: `${check.command}\n` };
      return { text: `${current}${current.endsWith("\n") || current === "" ? "" : "\n"}${check.command}\n` };
    case "simple-git-hooks":
      return addSimpleGitHook(plan.file === "package.json" ? ["simple-git-hooks"] : [], current ?? "{}\n", check.command);
  }
}

function newLefthookFile(check: HookCheck): string {
  return [
    "# Git hooks (https://lefthook.dev). Install them once per clone: `lefthook install`.",
    "pre-commit:",
    "  jobs:",
    ...lefthookJob(check, "    "),
    "",
  ].join("\n");
}

function lefthookJob(check: HookCheck, indent: string): string[] {
  return [
    `${indent}- name: deploy workflows match the registry`,
    `${indent}  glob:`,
    ...check.glob.map((g) => `${indent}    - ${JSON.stringify(g)}`),
    `${indent}  run: ${check.command}`,
  ];
}

/**
 * Adds the job to an existing lefthook file without rewriting it: appended as the last item of
 * `pre-commit.jobs`, or a `pre-commit` section appended at the end. Shapes it cannot edit safely
 * (flow style, the older `commands:` map) get the snippet to paste instead.
 */
function addLefthookJob(text: string, check: HookCheck): HookEdit {
  const doc = parseDocument(text);
  const snippet = ["pre-commit:", "  jobs:", ...lefthookJob(check, "    ")].join("\n");
  if (doc.errors.length) return { manual: `it does not parse as YAML; add this yourself:\n${snippet}` };
  const preCommit = doc.get("pre-commit", true) as Node | undefined;
  if (preCommit === undefined || preCommit === null) return { text: `${text}${text.endsWith("\n") || text === "" ? "" : "\n"}${snippet}\n` };
  if (!isMap(preCommit)) return { manual: `add this job to its pre-commit jobs yourself:\n${lefthookJob(check, "").join("\n")}` };
  // lefthook's two shapes: a `jobs:` list, or the older `commands:` map (still read by lefthook 2).
  const jobs = preCommit.get("jobs", true) as Node | undefined;
  const commands = preCommit.get("commands", true) as Node | undefined;
  const target = isSeq(jobs) ? jobs : isMap(commands) ? commands : undefined;
  const entry = (indent: string): string[] => (target === jobs ? lefthookJob(check, indent) : lefthookCommand(check, indent));
  if (!target || target.flow || !target.range || target.items.length === 0)
    return { manual: `add this job to its pre-commit jobs yourself:\n${lefthookJob(check, "").join("\n")}` };
  const lineStart = text.lastIndexOf("\n", target.range[0] - 1) + 1;
  const indent = " ".repeat(target.range[0] - lineStart);
  const end = target.range[1];
  const edited = `${text.slice(0, end).replace(/\n*$/, "")}\n${entry(indent).join("\n")}\n${text.slice(end).replace(/^\n/, "")}`;
  // Only an edit that parses back to one more entry and nothing else changed is written.
  const reparsed = parseDocument(edited);
  const after = reparsed.getIn(["pre-commit", target === jobs ? "jobs" : "commands"], true);
  if (reparsed.errors.length || !(isSeq(after) || isMap(after)) || after.items.length !== target.items.length + 1)
    return { manual: `add this to its pre-commit section yourself:\n${entry("").join("\n")}` };
  return { text: edited };
}

function lefthookCommand(check: HookCheck, indent: string): string[] {
  return [`${indent}deploy-workflows:`, `${indent}  glob:`, ...check.glob.map((g) => `${indent}    - ${JSON.stringify(g)}`), `${indent}  run: ${check.command}`];
}

function addSimpleGitHook(prefix: string[], text: string, command: string): HookEdit {
  const existing = stringAt(text, [...prefix, "pre-commit"]);
  if (existing !== undefined && RUNS_TOOL.test(existing)) return { unchanged: "its pre-commit hook already runs gen-workflows" };
  const edit = existing !== undefined ? replaceString(text, [...prefix, "pre-commit"], `${existing} && ${command}`) : addMember(text, prefix, "pre-commit", command);
  if ("error" in edit) return { manual: `${edit.error}; set its "pre-commit" to \`${command}\`` };
  return edit;
}

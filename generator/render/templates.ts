/**
 * Steps that do not depend on the registry live in `templates/` as plain YAML, so users can edit
 * them without touching TypeScript. This module turns a template's text into steps, or into
 * diagnostics that name the file and line.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from "yaml";
import * as z from "zod/mini";
import { type Diagnostic, error, listOptions } from "../diagnostics.ts";
import type { TemplateName } from "./template-files.ts";
import type { Step } from "./workflow.ts";

export { TEMPLATE_FILES, type TemplateName } from "./template-files.ts";

export type Templates = Record<TemplateName, Step[]>;

const STEP_KEYS = ["name", "if", "env", "run", "continue-on-error", "timeout-minutes"] as const;

const templateStep = z.strictObject({
  name: z.string().check(z.minLength(1, "a step needs a name")),
  if: z.optional(z.string()),
  env: z.optional(z.record(z.string(), z.string())),
  run: z.string().check(z.minLength(1, "a step needs a run script")),
  "continue-on-error": z.optional(z.boolean()),
  "timeout-minutes": z.optional(z.int().check(z.positive("must be a positive number of minutes"))),
});
const templateFile = z.strictObject({ steps: z.array(templateStep) });

/** Text of one template -> its steps, or diagnostics at file:line:col. */
export function parseTemplate(text: string, file: string): { steps: Step[]; diagnostics: Diagnostic[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const at = (offset: number | undefined): { line?: number; column?: number } => {
    if (offset === undefined) return {};
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  if (doc.errors.length)
    return {
      steps: [],
      diagnostics: doc.errors.map((e) => error("TEMPLATE_INVALID", `not valid YAML: ${e.message.split("\n")[0]}`, { file, ...at(e.pos[0]), fix: "correct the YAML syntax at this line" })),
    };
  // toJS refuses an alias bomb (a few lines of anchors expanding to millions of nodes) by throwing.
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    return { steps: [], diagnostics: [error("TEMPLATE_INVALID", `cannot be read as YAML: ${e instanceof Error ? e.message.split("\n")[0] : "its aliases expand too far"}`, { file, fix: "write the steps out without YAML aliases (*name)" })] };
  }
  const result = templateFile.safeParse(data);
  const diagnostics: Diagnostic[] = [];
  if (!result.success) {
    for (const issue of result.error.issues) {
      const keys = issue.code === "unrecognized_keys" ? issue.keys : [];
      // An unknown key is reported at the key itself, not at the start of its step.
      const node = nodeAt(doc.contents, keys.length ? [...issue.path, keys[0]!] : issue.path, keys.length > 0);
      diagnostics.push(
        error("TEMPLATE_INVALID", keys.length ? `unknown step key ${keys.map((k) => `"${k}"`).join(", ")} (valid: ${listOptions(STEP_KEYS)})` : `${issue.path.join(".") || "file"}: ${issue.message}`, {
          file,
          ...at(node?.range?.[0]),
          fix: keys.length ? "remove the key; a template step may only run a script" : 'a template is `steps:` followed by a list of { name, run } steps',
        }),
      );
    }
    return { steps: [], diagnostics };
  }
  // The rule for every generated script: values reach a script through env, never as an
  // expression pasted into its text (an injection risk and a quoting bug).
  result.data.steps.forEach((step, i) => {
    if (step.run.includes("${{")) {
      const node = nodeAt(doc.contents, ["steps", i, "run"]);
      diagnostics.push(
        error("TEMPLATE_INVALID", `step "${step.name}" has a \${{ }} expression inside its run script`, {
          file,
          ...at(node?.range?.[0]),
          fix: "pass the value through the step's env: and read it as $NAME in the script",
        }),
      );
    }
  });
  return { steps: result.data.steps, diagnostics };
}

/** The node at `path`; with `keyNode`, the key of the last segment instead of its value. */
function nodeAt(root: unknown, path: readonly PropertyKey[], keyNode = false): Node | undefined {
  let node = root as Node | undefined;
  for (const [i, segment] of path.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && p.key.value === String(segment));
      node = (keyNode && i === path.length - 1 ? pair?.key : pair?.value) as Node | undefined;
    } else if (isSeq(node)) node = node.get(Number(segment), true) as Node | undefined;
    else return node;
  }
  return node;
}

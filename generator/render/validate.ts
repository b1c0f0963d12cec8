/**
 * Generated YAML -> diagnostics from GitHub's own workflow parser. A finding here is a bug in the
 * generator (the registry was already valid), reported with file:line:col. This module is
 * imported lazily: the parser is the heaviest dependency and `--check` of an unchanged tree
 * never needs it.
 */
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from "@actions/workflow-parser";
import { type Diagnostic, error } from "../diagnostics.ts";

export async function validateWorkflow(file: string, content: string): Promise<Diagnostic[]> {
  const parsed = parseWorkflow({ name: file, content }, new NoOperationTraceWriter());
  // Conversion checks what the schema cannot (job graph, matrix, expressions) and adds its
  // findings to the same error list.
  if (parsed.value && parsed.context.errors.getErrors().length === 0) await convertWorkflowTemplate(parsed.context, parsed.value);
  return parsed.context.errors.getErrors().map((e) =>
    error("WORKFLOW_INVALID", `GitHub's workflow parser rejects the generated file: ${e.rawMessage}`, {
      file,
      ...(e.range ? { line: e.range.start.line, column: e.range.start.column } : {}),
      fix: "this is a bug in the generator: please report it with the registry that produced it",
    }),
  );
}

/** Lines the wrapper below puts before a template, and the columns it indents it by. */
const TEMPLATE_WRAPPER = "on: push\njobs:\n  template:\n    runs-on: ubuntu-latest\n";
const TEMPLATE_OFFSET = { lines: 4, columns: 4 };

/**
 * A template's steps seen by GitHub's parser (inside a one-job workflow), so a mistake the YAML
 * schema cannot see (a broken `if:` expression) is the user's error at the template's own line,
 * not a generator bug at a line of the generated file.
 */
export async function validateTemplate(file: string, text: string): Promise<Diagnostic[]> {
  // Document markers, directives and a BOM cannot be indented into the wrapper; blanking them
  // keeps every other line where it was.
  const lines = text.replace(/^\uFEFF/, "").split("\n").map((l) => (/^(---|\.\.\.)(\s|$)|^%/.test(l) ? "" : l));
  const wrapped = TEMPLATE_WRAPPER + lines.map((l) => (l ? `    ${l}` : l)).join("\n");
  const unwrap = (message: string): string =>
    message
      .replace("GitHub's workflow parser rejects the generated file", "GitHub's workflow parser rejects this template")
      .replace(/\b(line|Line:?) (\d+), (column|Col:?) (\d+)/g, (_, l: string, line: string, c: string, col: string) => `${l} ${Number(line) - TEMPLATE_OFFSET.lines}, ${c} ${Math.max(1, Number(col) - TEMPLATE_OFFSET.columns)}`);
  return (await validateWorkflow(file, wrapped)).map((d) => ({
    ...d,
    code: "TEMPLATE_INVALID" as const,
    message: unwrap(d.message),
    ...(d.line !== undefined ? { line: d.line - TEMPLATE_OFFSET.lines } : {}),
    ...(d.column !== undefined ? { column: Math.max(1, d.column - TEMPLATE_OFFSET.columns) } : {}),
    fix: "correct the step at this line (expressions in if:, env: values)",
  }));
}

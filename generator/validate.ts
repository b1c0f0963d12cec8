/**
 * Generated YAML -> diagnostics from GitHub's own workflow parser. A finding here is a bug in the
 * generator (the registry was already valid), reported with file:line:col. This module is
 * imported lazily: the parser is the heaviest dependency and `--check` of an unchanged tree
 * never needs it.
 */
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from "@actions/workflow-parser";
import { type Diagnostic, error } from "./diagnostics.ts";

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

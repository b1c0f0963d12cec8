/**
 * `gen:workflows audit [--root <dir>] [--config <file>] [--format text|json]`: checks the
 * repository against the registry. Exit 1 on any error-severity finding, 2 on usage or a
 * registry that does not load; warnings alone exit 0.
 */
import { parseArgs } from "node:util";
import { auditRepository, checkedSummary } from "../audit/audit.ts";
import { diskRepoFiles } from "../audit/fs-repo-files.ts";
import { EXIT, type CliIo } from "../cli-types.ts";
import { usageError } from "./usage.ts";
import { type Diagnostic, formatDiagnosticAnnotation, formatDiagnosticText, hasErrors, JSON_SCHEMA_VERSION, sortDiagnostics } from "../diagnostics.ts";
import { readIfExists } from "../io.ts";
import { fixCommandFor } from "./fix-command.ts";
import { loadProject } from "./project.ts";

export async function runAudit(args: string[], io: CliIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: { root: { type: "string" }, config: { type: "string" }, format: { type: "string", default: "text" } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    return usageError(io, (e as Error).message);
  }
  const format = values.format;
  if (format !== "text" && format !== "json") return usageError(io, `--format must be text or json, got "${format}"`);

  const { paths, result, diagnostics } = await loadProject({ config: values.config, root: values.root, format }, io);
  if (hasErrors(diagnostics) || !result.registry || result.files.length === 0) {
    const sorted = sortDiagnostics(diagnostics);
    if (format === "json") io.stdout(JSON.stringify({ schemaVersion: JSON_SCHEMA_VERSION, command: "audit", status: "config-error", diagnostics: sorted }, null, 2) + "\n");
    else io.stderr(`${sorted.map(formatDiagnosticText).join("\n")}\ngen:workflows: ${paths.configFile} has errors; nothing was audited. Fix them and run again.\n`);
    return EXIT.usage;
  }

  const audit = auditRepository({
    registry: result.registry,
    configFile: paths.configFile,
    configText: readIfExists(paths.configPath),
    workflows: result.files,
    files: diskRepoFiles(paths.root),
    fixCommand: fixCommandFor({ config: values.config, root: values.root }, io),
  });
  const findings = audit.diagnostics;
  const errors = findings.filter((d) => d.severity === "error").length;
  const warnings = findings.length - errors;
  const status = errors ? "findings" : warnings ? "warnings" : "ok";
  if (format === "json") {
    io.stdout(JSON.stringify({ schemaVersion: JSON_SCHEMA_VERSION, command: "audit", status, checked: audit.checked, diagnostics: findings }, null, 2) + "\n");
  } else {
    if (findings.length) io.stdout(findings.map(formatDiagnosticText).join("\n") + "\n\n");
    io.stdout(`audit: ${count(errors, "error")}, ${count(warnings, "warning")}; ${checkedSummary(audit.checked)}.\n`);
  }
  if (io.env.GITHUB_ACTIONS === "true") {
    if (findings.length) io.stdout(findings.map(formatDiagnosticAnnotation).join("\n") + "\n");
    if (io.env.GITHUB_STEP_SUMMARY && io.appendFile) io.appendFile(io.env.GITHUB_STEP_SUMMARY, auditSummaryMarkdown(findings, checkedSummary(audit.checked)));
  }
  return errors ? EXIT.drift : EXIT.ok;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

function auditSummaryMarkdown(findings: readonly Diagnostic[], checked: string): string {
  const cell = (s: string): string => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
  if (!findings.length) return `### Repository audit\n\nNo findings: ${cell(checked)}.\n`;
  const rows = findings.map((d) => `| ${d.severity} | \`${d.code}\` | \`${d.file}${d.line !== undefined ? `:${d.line}` : ""}\` | ${cell(d.message)} | ${cell(d.fix ?? "")} |`);
  return ["### Repository audit", "", "| Severity | Code | Where | Finding | Fix |", "| --- | --- | --- | --- | --- |", ...rows, "", `${cell(checked)}.`, ""].join("\n");
}

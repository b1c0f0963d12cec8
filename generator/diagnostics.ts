/**
 * Errors are data: every problem a user can cause is a Diagnostic with a stable code, the place
 * it is at, and how to fix it. Exceptions are kept for bugs and I/O failures.
 */
import { byCodeUnit, byNaturalOrder } from "./sort-order.ts";

/** Every diagnostic code. Tests and `--format json` consumers match on these. */
export type DiagnosticCode =
  // the registry file itself
  | "CONFIG_NOT_FOUND"
  | "CONFIG_LOAD_FAILED"
  | "CONFIG_LOAD_TIMEOUT"
  | "CONFIG_NO_DEFAULT_EXPORT"
  // schema (zod) issues
  | "CONFIG_INVALID_TYPE"
  | "CONFIG_UNKNOWN_KEY"
  | "CONFIG_INVALID_VALUE"
  | "CONFIG_INVALID_FORMAT"
  | "CONFIG_OUT_OF_RANGE"
  | "CONFIG_INVALID"
  /** A getter or proxy in the registry threw, or a value contains itself. */
  | "CONFIG_VALUE_UNREADABLE"
  /** A name every JavaScript object has (`constructor`, `__proto__`…) used as a registry name. */
  | "CONFIG_RESERVED_NAME"
  // cross-field rules
  | "SERVICE_DUPLICATE_NAME"
  | "SERVICE_UNKNOWN_DEPENDENCY"
  | "SERVICE_DEPENDENCY_CYCLE"
  | "SERVICE_DEPENDS_ON_LATER_KIND"
  | "SERVICE_DEPENDENCY_NOT_DEPLOYED"
  | "SERVICE_BUILD_OPTION_WITHOUT_IMAGE"
  | "SERVICE_PATH_REQUIRED"
  | "SERVICE_DUPLICATE_PATH"
  | "RESOURCE_NAME_COLLISION"
  | "ENVIRONMENT_UNKNOWN"
  | "ENVIRONMENT_DUPLICATE_WORKFLOW_FILE"
  | "PLACEHOLDER_UNKNOWN"
  | "SECRET_GROUP_UNKNOWN"
  | "SECRET_KEY_UNDEFINED"
  | "SECRET_GROUP_UNUSED"
  | "SENTRY_NOT_CONFIGURED"
  | "IMAGE_TAG_NOT_UNIQUE"
  | "MANIFEST_TAG_NOT_PUSHED"
  | "IMAGE_TAG_SHARED_ACROSS_ENVIRONMENTS"
  | "BUILD_ARG_SECRET"
  | "BUILD_SECRET_ALSO_BUILD_ARG"
  // templates
  | "TEMPLATE_NOT_FOUND"
  | "TEMPLATE_INVALID"
  // generated output (a generator bug when it fires)
  | "WORKFLOW_INVALID"
  // import of hand-written workflows
  | "IMPORT_UNMAPPABLE"
  | "IMPORT_ENVIRONMENTS_DIFFER"
  | "IMPORT_NOT_CARRIED_OVER"
  | "IMPORT_ASSUMPTION"
  // --adopt-pins
  | "PIN_NOT_A_SHA"
  | "PIN_CONFLICT"
  | "PIN_REGISTRY_NOT_EDITABLE"
  | "PIN_HAND_EDITED_WORKFLOW"
  // audit: the repository against the registry
  | "AUDIT_SOURCE_TREE_MISSING"
  | "AUDIT_SERVICE_UNREGISTERED"
  | "AUDIT_DOCKERFILE_MISSING"
  | "AUDIT_DEPLOYMENT_MISSING"
  | "AUDIT_DEPLOYMENT_NAME_MISMATCH"
  | "AUDIT_SERVICE_MANIFEST_MISSING"
  | "AUDIT_MANIFEST_FOLDER_UNREGISTERED"
  | "AUDIT_MANIFEST_INVALID_YAML"
  | "AUDIT_CRONJOB_NOT_APPLIED"
  | "AUDIT_JOB_NOT_APPLIED"
  | "AUDIT_NESTED_FOLDER_SKIPPED"
  | "AUDIT_CRONJOB_FILE_MISSING"
  | "AUDIT_JOB_FILE_MISSING"
  | "AUDIT_APPLIED_FILE_MISSING"
  | "AUDIT_SECRET_REF_UNKNOWN"
  | "AUDIT_SECRET_GROUP_NOT_DECLARED"
  | "AUDIT_SECRET_KEY_UNUSED"
  | "AUDIT_RESOURCES_MISSING"
  | "AUDIT_PROBES_MISSING"
  | "AUDIT_CRONJOB_CONCURRENCY"
  | "AUDIT_IMAGE_HARDCODED"
  | "AUDIT_MANIFEST_VARIABLE_UNDEFINED"
  | "AUDIT_BUILD_SECRET_IN_DOCKERFILE"
  | "AUDIT_INGRESS_NGINX_RETIRED"
  // files and the environment: a folder where a file belongs, a read or write the OS refused
  | "PATH_NOT_A_FILE"
  | "IO_READ_FAILED"
  | "IO_WRITE_FAILED"
  /** Temporary files left by a write that was interrupted (killed) before it finished. */
  | "WRITE_INTERRUPTED"
  // usage
  | "USAGE";

export type Severity = "error" | "warning";

export interface Diagnostic {
  code: DiagnosticCode;
  severity: Severity;
  message: string;
  /** File the problem is in, relative to the repository root where possible. */
  file: string;
  /** Registry path, e.g. `services[4].dependsOn[0]`, when the problem is in the registry. */
  path?: string;
  line?: number;
  column?: number;
  /** How to fix it, in one sentence. */
  fix?: string;
}

export function error(code: DiagnosticCode, message: string, where: Omit<Diagnostic, "code" | "severity" | "message">): Diagnostic {
  return { code, severity: "error", message: bounded(message), ...where };
}

export function warning(code: DiagnosticCode, message: string, where: Omit<Diagnostic, "code" | "severity" | "message">): Diagnostic {
  return { code, severity: "warning", message: bounded(message), ...where };
}

/** A message quoting a huge user value (a 10 MB string) stays one readable line. */
const MAX_MESSAGE = 2_000;
function bounded(message: string): string {
  return message.length <= MAX_MESSAGE ? message : `${message.slice(0, MAX_MESSAGE)}… (message cut: ${message.length} characters)`;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** Registry path segments -> `services[4].dependsOn[0]`. */
export function formatPath(segments: readonly PropertyKey[]): string {
  let out = "";
  for (const s of segments) {
    if (typeof s === "number") out += `[${s}]`;
    else if (typeof s === "string" && /^[A-Za-z_$][\w$]*$/.test(s) && s.length <= 80) out += out ? `.${s}` : s;
    else {
      const text = typeof s === "symbol" ? (s.description ?? "symbol") : String(s);
      out += `[${JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text)}]`;
    }
  }
  return out;
}

/** Lists valid options the same way everywhere: `a, b, c` (at most `limit`, then `…`). */
export function listOptions(options: readonly string[], limit = 12): string {
  const sorted = [...new Set(options)].sort();
  return sorted.length > limit ? `${sorted.slice(0, limit).join(", ")}, …` : sorted.join(", ");
}

/** Stable order: by file, line, column, path, code. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      byCodeUnit(a.file, b.file) ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0) ||
      byNaturalOrder(a.path ?? "", b.path ?? "") ||
      byCodeUnit(a.code, b.code),
  );
}

/** One line per problem: `file:line:col: services[4].dependsOn[0]: message [CODE]`, then the fix. */
export function formatDiagnosticText(d: Diagnostic): string {
  const place = [d.file, d.line, d.line !== undefined ? d.column : undefined].filter((p) => p !== undefined).join(":");
  const path = d.path ? `${d.path}: ` : "";
  const head = `${place}: ${d.severity === "warning" ? "warning: " : ""}${path}${d.message} [${d.code}]`;
  return d.fix ? `${head}\n  fix: ${d.fix}` : head;
}

/** GitHub workflow command that annotates the line in a pull request. https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/workflow-commands-for-github-actions#setting-an-error-message */
export function formatDiagnosticAnnotation(d: Diagnostic): string {
  const props = [`file=${escapeProperty(d.file)}`];
  if (d.line !== undefined) props.push(`line=${d.line}`);
  if (d.column !== undefined) props.push(`col=${d.column}`);
  props.push(`title=${escapeProperty(d.code)}`);
  const text = `${d.path ? `${d.path}: ` : ""}${d.message}${d.fix ? ` Fix: ${d.fix}` : ""}`;
  return `::${d.severity === "warning" ? "warning" : "error"} ${props.join(",")}::${escapeData(text)}`;
}

function escapeData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

/** Version of every `--format json` document; bumped only on an incompatible change. */
export const JSON_SCHEMA_VERSION = 1;

/**
 * What the import reports: diagnostics that also name their kind (one kind per construct, e.g.
 * "swallowed-failure") and what they are about (a service), so the report can say a repeated
 * finding once, with every service and line it applies to, instead of forty times.
 */
import { type Diagnostic, type DiagnosticCode, formatDiagnosticText, sortDiagnostics } from "../diagnostics.ts";

export interface ImportDiagnostic extends Diagnostic {
  /** The construct, e.g. `secret-check`; findings of one kind and message are reported together. */
  kind?: string;
  /** What it applies to (a service), listed in the grouped report. */
  subject?: string;
  /** The exact command or text found, kept for `--format json`. */
  detail?: string;
}

/** Sections of the report, in order, by code. */
export const SECTIONS: readonly { code: DiagnosticCode; title: string }[] = [
  { code: "IMPORT_UNMAPPABLE", title: "Carry over by hand (the registry cannot express these)" },
  { code: "IMPORT_ENVIRONMENTS_DIFFER", title: "Staging and production disagree; resolved as stated, each marked `// import:` in the registry" },
  { code: "IMPORT_NOT_CARRIED_OVER", title: "Done by the generated workflow, or not carried over on purpose" },
  { code: "IMPORT_ASSUMPTION", title: "Assumed" },
];

export interface FindingGroup {
  code: DiagnosticCode;
  kind: string;
  first: ImportDiagnostic;
  all: ImportDiagnostic[];
  subjects: string[];
}

/** Findings of the same code, kind and message, in first-seen (sorted) order. */
export function groupFindings(findings: readonly ImportDiagnostic[]): FindingGroup[] {
  const groups = new Map<string, FindingGroup>();
  for (const d of sortDiagnostics(findings) as ImportDiagnostic[]) {
    const kind = d.kind ?? d.code;
    const key = `${d.code}\u0000${kind}\u0000${d.message}\u0000${d.fix ?? ""}`;
    const g = groups.get(key) ?? { code: d.code, kind, first: d, all: [], subjects: [] };
    g.all.push(d);
    if (d.subject && !g.subjects.includes(d.subject)) g.subjects.push(d.subject);
    groups.set(key, g);
  }
  return [...groups.values()];
}

const MAX_LISTED = 12;

/** `deploy-aks.yml:12, 40, 41; deploy-staging.yml:9` (at most MAX_LISTED places, then `+N more`). */
function places(list: readonly Diagnostic[]): string {
  const byFile = new Map<string, number[]>();
  for (const d of list) {
    const lines = byFile.get(d.file) ?? [];
    if (d.line !== undefined && !lines.includes(d.line)) lines.push(d.line);
    byFile.set(d.file, lines);
  }
  let shown = 0;
  const parts: string[] = [];
  let hidden = 0;
  for (const [file, lines] of byFile) {
    const room = Math.max(0, MAX_LISTED - shown);
    const visible = lines.slice(0, room);
    hidden += lines.length - visible.length;
    shown += visible.length;
    if (visible.length || !lines.length) parts.push(visible.length ? `${file}:${visible.join(", ")}` : file);
  }
  return parts.join("; ") + (hidden ? ` (+${hidden} more)` : "");
}

function subjectsText(subjects: readonly string[]): string {
  if (!subjects.length) return "";
  const shown = subjects.slice(0, MAX_LISTED);
  return ` for ${subjects.length} service${subjects.length === 1 ? "" : "s"} (${shown.join(", ")}${subjects.length > shown.length ? `, +${subjects.length - shown.length} more` : ""})`;
}

/** One finding: the usual `file:line: message [CODE]`; a group: its message once, then where and for whom. */
export function formatGroup(g: FindingGroup): string {
  if (g.all.length === 1) return formatDiagnosticText(g.first);
  const head = `${g.first.severity === "warning" ? "warning: " : ""}${g.first.message}${subjectsText(g.subjects)} [${g.code}]`;
  const lines = [head, `  at: ${places(g.all)}`];
  if (g.first.fix) lines.push(`  fix: ${g.first.fix}`);
  return lines.join("\n");
}

/** Counts per section and kind, for the summary at the top of the report. */
export function summaryLines(groups: readonly FindingGroup[]): string[] {
  const out: string[] = [];
  for (const s of SECTIONS) {
    const inSection = groups.filter((g) => g.code === s.code);
    if (!inSection.length) continue;
    const total = inSection.length;
    out.push(`  ${String(total).padStart(3)} ${s.title.split(" (")[0]!.split(";")[0]!.toLowerCase()}`);
  }
  return out;
}

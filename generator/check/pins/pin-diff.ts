/**
 * Action refs (`uses: owner/repo@<sha> # v1.2.3`) in workflow text, and whether two versions of
 * a file differ only in them: what Dependabot and Renovate change when they bump an action.
 * Line-based on purpose: a bot rewrites the ref and its comment on the same line and nothing else.
 */

export interface ActionRef {
  action: string;
  ref: string;
  /** The trailing comment, e.g. `v4.2.2`, when there is one. */
  version?: string;
  /** 1-based line in the file. */
  line: number;
}

export interface PinChange {
  action: string;
  /** 1-based line in the committed file. */
  line: number;
  committed: { ref: string; version?: string };
  generated: { ref: string; version?: string };
}

// The comment is matched greedily up to its last non-space: a lazy `.*?` before `\s*$` retried
// the trailing spaces at every character, quadratic on a long committed line.
const USES = /^\s*(?:-\s+)?uses:\s*["']?([^@\s"'#]+)@([^\s"'#]+)["']?(?:\s+#\s*(\S(?:.*\S)?))?\s*$/;
/** The banner's hash line changes with every regeneration and is never a bot's doing. */
const HASH_LINE = /^# gen:workflows inputs=/;

function refOn(text: string, line: number): ActionRef | undefined {
  const m = USES.exec(text);
  if (!m) return undefined;
  return { action: m[1]!, ref: m[2]!, ...(m[3] ? { version: m[3] } : {}), line };
}

export function actionRefs(text: string): ActionRef[] {
  return text.split("\n").flatMap((l, i) => refOn(l, i + 1) ?? []);
}

function change(c: ActionRef, g: ActionRef): PinChange {
  return {
    action: c.action,
    line: c.line,
    committed: { ref: c.ref, ...(c.version !== undefined ? { version: c.version } : {}) },
    generated: { ref: g.ref, ...(g.version !== undefined ? { version: g.version } : {}) },
  };
}

/**
 * The pin changes between a committed and a generated file when they are the ONLY difference
 * (the banner's hash line aside); undefined when anything else differs or nothing does.
 */
export function pinOnlyChanges(committed: string, generated: string): PinChange[] | undefined {
  const a = committed.split("\n");
  const b = generated.split("\n");
  if (a.length !== b.length) return undefined;
  const changes: PinChange[] = [];
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i] || (HASH_LINE.test(a[i]!) && HASH_LINE.test(b[i]!))) continue;
    const c = refOn(a[i]!, i + 1);
    const g = refOn(b[i]!, i + 1);
    if (!c || !g || c.action !== g.action) return undefined;
    changes.push(change(c, g));
  }
  return changes.length ? changes : undefined;
}

/** Refs that differ between the two files, matched by action and occurrence, whatever else differs. */
export function pinChanges(committed: string, generated: string): PinChange[] {
  const seen = new Map<string, number>();
  const generatedRefs = new Map<string, ActionRef[]>();
  for (const r of actionRefs(generated)) generatedRefs.set(r.action, [...(generatedRefs.get(r.action) ?? []), r]);
  const changes: PinChange[] = [];
  for (const c of actionRefs(committed)) {
    const n = seen.get(c.action) ?? 0;
    seen.set(c.action, n + 1);
    const g = generatedRefs.get(c.action)?.[n];
    if (g && (g.ref !== c.ref || g.version !== c.version)) changes.push(change(c, g));
  }
  return changes;
}

/**
 * Runs a hand-written deploy script symbolically, the way bash would, and returns the commands
 * it would run with their file lines. Follows `${X}`, `${X:-d}`, `${X:=d}`, `${X-d}`; keeps
 * `$(…)` and backticks as one opaque word; expands calls of functions defined in the script;
 * decides `if`/`case` on values it knows (string tests; file tests are assumed true and listed);
 * runs the body of a loop or condition it cannot decide once, marked with that guard; records
 * which failures a `||` swallows (`|| true`) and which it re-raises (`|| (echo …; exit 1)`).
 *
 * Every line of the script is accounted for: run (a command, an assignment, a keyword), not run
 * (a branch not taken, a function never called, with the reason), or unknown (an undecidable
 * condition, a syntax error). Nothing is dropped silently.
 */
import { ShellSyntaxError, type WordPart, type WordToken } from "./shell-lexer.ts";
import { parseScript, type ShellNode } from "./shell-parser.ts";

/** One logical line: continuation lines joined, with the file line it starts on. */
export interface ScriptLine {
  text: string;
  line: number;
}

/** A command the script runs, after variable expansion. */
export interface ExecutedCommand {
  words: string[];
  line: number;
  /** Last file line of the command (continuations, heredoc). */
  endLine: number;
  /** Failure ignored: `… || true` (any `||` fallback that does not exit non-zero itself). */
  swallowed: boolean;
  /** Commands after a `|`, e.g. `kubectl apply -f -`. */
  pipedTo: string[][];
  /** Inside a condition or loop the importer cannot decide (`if ! kubectl get ns x`, `while read`). */
  guard?: { text: string; line: number };
  /** Part of an `if`/`while` condition itself. */
  inCondition?: boolean;
  /** Runs only when the command at this line failed (the right side of `||`). */
  onFailureOf?: number;
  /** Called through this function of the script (defined at `line`). */
  inFunction?: { name: string; line: number };
  /** Reads a heredoc (an inline file). */
  heredoc?: boolean;
  /** The heredoc's text, as written. */
  heredocBody?: string;
  /** Files its output goes to (`> file`, `>> "$GITHUB_STEP_SUMMARY"`), expanded. */
  redirectsTo?: string[];
}

export interface ScriptEvents {
  commands: ExecutedCommand[];
  /** `export NAME=value` lines, in order. */
  exports: { name: string; value: string; line: number }[];
  /** `NAME=$(command)` lines: the variable stays symbolic (`${NAME}`) for later lines. */
  substitutions: { name: string; command: string; line: number }[];
  /** Conditions that could not be decided (file tests are assumed true and listed here). */
  assumptions: { text: string; line: number; message: string }[];
  unknown: { text: string; line: number; message: string; expanded?: string }[];
  /** Parts that do not run, with why: a branch not taken, a function never called. */
  notRun: { line: number; endLine: number; reason: string }[];
  /** Every file line the reading accounted for (run, not run, or unknown). */
  accounted: Set<number>;
}

/** Variables the runner sets, as the expressions the registry understands. */
const RUNNER_VARIABLES: Readonly<Record<string, string>> = { GITHUB_SHA: "${{ github.sha }}" };

const MAX_CALL_DEPTH = 8;
const MAX_LOOP_ITEMS = 500;

/** Splits a run script into logical lines; `firstLine` is the file line of the script's first line. */
export function logicalLines(script: string, firstLine: number): ScriptLine[] {
  const out: ScriptLine[] = [];
  let pending: ScriptLine | undefined;
  script.split("\n").forEach((text, i) => {
    const line = firstLine + i;
    const continued = /(^|[^\\])\\$/.test(text.trimEnd());
    const body = continued ? text.trimEnd().slice(0, -1) : text;
    if (pending) pending.text += ` ${body.trim()}`;
    else pending = { text: body.trim(), line };
    if (!continued) {
      if (pending.text && !pending.text.startsWith("#")) out.push(pending);
      pending = undefined;
    }
  });
  if (pending?.text) out.push(pending);
  return out;
}

/** `${{secrets.X}}` -> `${{ secrets.X }}`, so every later match sees one spelling. */
export function normalizeExpression(expr: string): string {
  const inner = expr.replace(/^\$\{\{/, "").replace(/\}\}$/, "").trim();
  return `\${{ ${inner} }}`;
}

/** Replaces `${{ … }}` expressions the caller knows (matrix values, env) before the script is read. */
export function substituteExpressions(text: string, known: Readonly<Record<string, string>>): string {
  return text.replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (whole, inner: string) => known[inner] ?? whole);
}

/** `$X` left symbolic: how an unknown variable is spelled in expanded words. */
const symbolic = (name: string): string => `\${${name}}`;
export const UNRESOLVED = /\$\{[A-Za-z_?@*#!0-9]/;

interface Frame {
  vars: Map<string, string>;
  positional: string[];
  guard?: { text: string; line: number };
  onFailureOf?: number;
  inFunction?: { name: string; line: number };
  depth: number;
}

/**
 * Runs `script` (whose first line is file line `firstLine`) symbolically. `seed` sets shell
 * variables (the step's `env:`). A syntax error makes the whole script unknown, at its line.
 */
export function execute(script: string, firstLine: number, seed: Readonly<Record<string, string>> = {}): ScriptEvents {
  const events: ScriptEvents = { commands: [], exports: [], substitutions: [], assumptions: [], unknown: [], notRun: [], accounted: new Set() };
  const lastLine = firstLine + script.split("\n").length - 1;
  let tree: ShellNode;
  try {
    tree = parseScript(script, firstLine);
  } catch (e) {
    if (!(e instanceof ShellSyntaxError)) throw e;
    events.unknown.push({ text: script.split("\n")[e.line - firstLine]?.trim() ?? "", line: e.line, message: `shell syntax error (bash would refuse this script): ${e.message}; nothing of this script was read` });
    for (let l = firstLine; l <= lastLine; l++) events.accounted.add(l);
    return events;
  }
  const functions = new Map<string, { node: ShellNode & { type: "function" }; called: boolean }>();
  const account = (from: number, to: number): void => {
    for (let l = from; l <= to; l++) events.accounted.add(l);
  };
  const skip = (node: ShellNode, reason: string): void => {
    if (node.type === "list" && !node.items.length) return;
    events.notRun.push({ line: node.line, endLine: node.endLine, reason });
    account(node.line, node.endLine);
  };

  const expandParts = (parts: readonly WordPart[], f: Frame): string => parts.map((p) => expandPart(p, f)).join("");
  const lookup = (name: string, f: Frame): string | undefined => {
    if (/^[1-9]$/.test(name)) return f.positional[Number(name) - 1];
    if (name === "@" || name === "*") return f.depth ? f.positional.join(" ") : undefined;
    if (name === "#") return f.depth ? String(f.positional.length) : undefined;
    return f.vars.get(name) ?? RUNNER_VARIABLES[name];
  };
  const expandPart = (p: WordPart, f: Frame): string => {
    if (p.t === "lit") return p.v;
    if (p.t === "expr") return normalizeExpression(p.raw);
    if (p.t === "sub") return p.raw;
    const value = lookup(p.name, f);
    const unsetOrEmpty = value === undefined || value === "";
    switch (p.op) {
      case undefined:
        return value ?? symbolic(p.name);
      case ":-":
        return unsetOrEmpty ? expandParts(p.arg ?? [], f) : value!;
      case "-":
        return value === undefined ? expandParts(p.arg ?? [], f) : value;
      case ":=":
      case "=": {
        if (p.op === ":=" ? !unsetOrEmpty : value !== undefined) return value!;
        const d = expandParts(p.arg ?? [], f);
        f.vars.set(p.name, d);
        return d;
      }
      case ":+":
        return unsetOrEmpty ? "" : expandParts(p.arg ?? [], f);
      case "+":
        return value === undefined ? "" : expandParts(p.arg ?? [], f);
      default:
        // ${X:?msg}, ${X%suffix}, ${#X}: kept as written, so a later reader sees it is not a plain value.
        return value !== undefined && p.op?.endsWith("?") ? value : p.raw;
    }
  };
  const expandWord = (w: WordToken, f: Frame): string => expandParts(w.parts, f);
  /** The fields of a word: unquoted expansions split on whitespace, `"$@"` into the arguments, as bash does. */
  const fieldsOf = (w: WordToken, f: Frame): string[] => {
    const fields = [""];
    for (const p of w.parts) {
      if (p.t === "param" && p.name === "@" && p.op === undefined && f.depth) {
        const [head = "", ...tail] = f.positional;
        fields[fields.length - 1] += head;
        fields.push(...tail);
        continue;
      }
      const v = expandPart(p, f);
      if (p.t !== "param" || p.quoted) fields[fields.length - 1] += v;
      else {
        const [head = "", ...tail] = splitFields(v);
        fields[fields.length - 1] += head;
        fields.push(...tail);
      }
    }
    return w.parts.some((p) => p.t !== "expr" && p.quoted) ? fields : fields.filter(Boolean);
  };

  const run = (node: ShellNode, f: Frame): void => {
    switch (node.type) {
      case "list":
        for (const item of node.items) run(item, f);
        return;
      case "simple":
        return simple(node, f, false);
      case "pipeline": {
        const [first, ...rest] = node.commands;
        if (first?.type === "simple" && rest.every((r) => r.type === "simple")) {
          const before = events.commands.length;
          simple(first, f, node.negated);
          const added = events.commands[before];
          for (const r of rest as (ShellNode & { type: "simple" })[]) {
            account(r.line, r.endLine);
            const words = r.words.map((w) => expandWord(w, f));
            if (added && words.length) added.pipedTo.push(words);
            else if (words.length) record(words, r, f);
          }
          if (added) added.endLine = Math.max(added.endLine, node.endLine);
          return;
        }
        // `… | while read x; do … done`: the loop reads what the command prints.
        for (const c of node.commands) run(c, f);
        return;
      }
      case "andor":
        return andOr(node, f);
      case "if":
        return ifClause(node, f);
      case "for": {
        for (const l of node.keywordLines) account(l, l);
        const items = node.items ? node.items.flatMap((w) => fieldsOf(w, f)) : f.depth ? [...f.positional] : [];
        if (!items.length) skip(node.body, `the loop list is empty`);
        const symbolicItems = items.filter((x) => UNRESOLVED.test(x) || x.startsWith("$("));
        if (symbolicItems.length) {
          // A list the importer cannot know: run the body once with the variable unknown.
          const g = { text: `for ${node.variable} in ${node.items?.map((w) => w.raw).join(" ") ?? '"$@"'}`, line: node.line };
          const saved = f.vars.get(node.variable);
          f.vars.delete(node.variable);
          run(node.body, { ...f, guard: f.guard ?? g });
          if (saved !== undefined) f.vars.set(node.variable, saved);
          return;
        }
        for (const item of items.slice(0, MAX_LOOP_ITEMS)) {
          f.vars.set(node.variable, item);
          run(node.body, f);
        }
        if (items.length > MAX_LOOP_ITEMS) events.unknown.push({ text: `for ${node.variable} in …`, line: node.line, message: `a loop over more than ${MAX_LOOP_ITEMS} items was read for its first ${MAX_LOOP_ITEMS} only` });
        return;
      }
      case "while": {
        for (const l of node.keywordLines) account(l, l);
        const g = { text: `${node.until ? "until" : "while"} ${conditionText(node.cond)}`, line: node.line };
        runCondition(node.cond, { ...f, guard: f.guard ?? g });
        run(node.body, { ...f, guard: f.guard ?? g });
        return;
      }
      case "case":
        return caseClause(node, f);
      case "subshell":
        for (const l of node.keywordLines) account(l, l);
        run(node.body, { ...f, vars: new Map(f.vars) });
        return;
      case "group":
        for (const l of node.keywordLines) account(l, l);
        run(node.body, f);
        return;
      case "function":
        for (const l of node.keywordLines) account(l, l);
        functions.set(node.name, { node, called: functions.get(node.name)?.called ?? false });
        return;
    }
  };

  /** Runs an `if`/`while` condition, its commands marked as such. */
  const runCondition = (cond: ShellNode, f: Frame): void => {
    const before = events.commands.length;
    run(cond, f);
    for (const c of events.commands.slice(before)) c.inCondition = true;
  };

  const record = (words: string[], node: { line: number; endLine: number }, f: Frame, extra: Partial<ExecutedCommand> = {}): ExecutedCommand => {
    const cmd: ExecutedCommand = {
      words,
      line: node.line,
      endLine: node.endLine,
      swallowed: false,
      pipedTo: [],
      ...(f.guard ? { guard: f.guard } : {}),
      ...(f.onFailureOf !== undefined ? { onFailureOf: f.onFailureOf } : {}),
      ...(f.inFunction ? { inFunction: f.inFunction } : {}),
      ...extra,
    };
    events.commands.push(cmd);
    return cmd;
  };

  const simple = (node: ShellNode & { type: "simple" }, f: Frame, negated: boolean): void => {
    account(node.line, node.endLine);
    const assignOnly = node.words.length === 0;
    for (const a of node.assigns) {
      if (assignOnly) assign(a.name, a.value, node.line, false, f);
    }
    if (assignOnly) return;
    const words = node.words.flatMap((w) => fieldsOf(w, f));
    const head = words[0] ?? "";
    if (head === "shift" && f.depth) {
      f.positional.splice(0, Number(words[1] ?? 1) || 1);
      return;
    }
    if (["export", "readonly", "local", "declare", "typeset"].includes(head)) {
      for (const w of node.words.slice(1)) {
        const m = w.parts[0]?.t === "lit" ? /^([A-Za-z_][A-Za-z0-9_]*)=/.exec((w.parts[0] as { v: string }).v) : null;
        if (m) assign(m[1]!, [{ ...(w.parts[0] as WordPart & { t: "lit" }), v: (w.parts[0] as { v: string }).v.slice(m[0].length) }, ...w.parts.slice(1)], node.line, head === "export", f);
        else if (head === "export" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(expandWord(w, f))) {
          const name = expandWord(w, f);
          const value = lookup(name, f);
          if (value !== undefined) events.exports.push({ name, value, line: node.line });
        }
      }
      return;
    }
    const fn = functions.get(head);
    if (fn) {
      fn.called = true;
      if (f.depth >= MAX_CALL_DEPTH) {
        events.unknown.push({ text: words.join(" "), line: node.line, message: `function ${head} calls itself more than ${MAX_CALL_DEPTH} deep` });
        return;
      }
      const inner: Frame = { ...f, positional: words.slice(1), depth: f.depth + 1, inFunction: f.inFunction ?? { name: head, line: fn.node.line } };
      // A function's body reports the call's line for what it runs, with the function named.
      const before = events.commands.length;
      run(fn.node.body, inner);
      for (const c of events.commands.slice(before)) c.inFunction ??= { name: head, line: fn.node.line };
      return;
    }
    const heredoc = node.redirects.find((r) => r.heredoc);
    const targets = node.redirects.filter((r) => r.target && /^(>|>>|&>|&>>|>\|)$/.test(r.op)).map((r) => expandWord(r.target!, f));
    record(words, node, f, { ...(heredoc ? { heredoc: true, heredocBody: heredoc.heredoc!.body } : {}), ...(targets.length ? { redirectsTo: targets } : {}) });
    void negated;
  };

  const assign = (name: string, parts: WordPart[], line: number, exported: boolean, f: Frame): void => {
    const value = expandParts(parts, f);
    const isSub = parts.length === 1 && parts[0]!.t === "sub";
    if (isSub || value.includes("$(")) {
      // A command substitution stays symbolic: ${NAME} is what later lines see.
      f.vars.delete(name);
      events.substitutions.push({ name, command: value.replace(/^\$\(|\)$/g, "").trim(), line });
    } else f.vars.set(name, value);
    if (exported) events.exports.push({ name, value, line });
  };

  const andOr = (node: ShellNode & { type: "andor" }, f: Frame): void => {
    const parts = [{ op: "&&" as const, node: node.first }, ...node.rest];
    // A failure is swallowed when a later `||` does not fail itself (exit 1, false, return 1).
    const swallowedFrom = parts.map((_, k) => parts.slice(k + 1).some((p) => p.op === "||" && !failsItself(p.node)));
    parts.forEach((p, k) => {
      const before = events.commands.length;
      if (p.op === "||") run(p.node, { ...f, onFailureOf: node.line });
      else run(p.node, f);
      if (swallowedFrom[k]) for (const c of events.commands.slice(before)) c.swallowed = true;
    });
  };

  const ifClause = (node: ShellNode & { type: "if" }, f: Frame): void => {
    for (const l of node.keywordLines) account(l, l);
    let taken = false;
    for (const [k, clause] of node.clauses.entries()) {
      if (taken) {
        skip(clause.body, `a branch before it (line ${node.clauses[k - 1]!.line}) is taken`);
        account(clause.cond.line, clause.cond.endLine);
        continue;
      }
      const decided = decide(clause.cond, f);
      account(clause.cond.line, clause.cond.endLine);
      if (decided.assumed) events.assumptions.push({ text: conditionText(clause.cond), line: clause.line, message: decided.assumed });
      if (decided.value === true) {
        run(clause.body, f);
        taken = true;
      } else if (decided.value === false) skip(clause.body, `its condition is false (line ${clause.line})`);
      else if (decided.commandCondition) {
        // `if ! kubectl get namespace x; then …`: run the condition and every branch, marked.
        const g = { text: `if ${conditionText(clause.cond)}`, line: clause.line };
        runCondition(clause.cond, { ...f, guard: f.guard ?? g });
        run(clause.body, { ...f, guard: f.guard ?? g });
        for (const later of node.clauses.slice(k + 1)) run(later.body, { ...f, guard: f.guard ?? g });
        if (node.otherwise) run(node.otherwise, { ...f, guard: f.guard ?? g });
        return;
      } else {
        events.unknown.push({ text: conditionText(clause.cond), line: clause.line, message: "condition the importer cannot decide", expanded: expandedText(clause.cond, f) });
        for (const later of node.clauses.slice(k)) skip(later.body, `inside a condition the importer cannot decide (line ${clause.line})`);
        if (node.otherwise) skip(node.otherwise, `inside a condition the importer cannot decide (line ${clause.line})`);
        return;
      }
    }
    if (node.otherwise) {
      if (taken) skip(node.otherwise, "an earlier branch is taken");
      else run(node.otherwise, f);
    }
  };

  const caseClause = (node: ShellNode & { type: "case" }, f: Frame): void => {
    for (const l of node.keywordLines) account(l, l);
    const subject = expandWord(node.subject, f);
    for (const arm of node.arms) account(arm.line, arm.line);
    if (UNRESOLVED.test(subject) || subject.includes("$(")) {
      events.unknown.push({ text: `case ${node.subject.raw} in`, line: node.line, message: "case on a value the importer cannot know" });
      for (const arm of node.arms) skip(arm.body, `inside a case the importer cannot decide (line ${node.line})`);
      return;
    }
    let taken = false;
    for (const arm of node.arms) {
      if (!taken && arm.patterns.some((p) => globMatches(expandWord(p, f), subject))) {
        taken = true;
        run(arm.body, f);
      } else skip(arm.body, `case ${subject} does not match ${arm.patterns.map((p) => p.raw).join("|")}`);
    }
  };

  const decide = (cond: ShellNode, f: Frame): { value?: boolean; assumed?: string; commandCondition?: boolean } => {
    if (cond.type === "list" && cond.items.length === 1) return decide(cond.items[0]!, f);
    if (cond.type === "pipeline" && cond.negated && cond.commands.length === 1) {
      const inner = decide(cond.commands[0]!, f);
      return inner.value === undefined ? inner : { ...inner, value: !inner.value };
    }
    if (cond.type === "andor") {
      let value = decide(cond.first, f);
      for (const r of cond.rest) {
        const next = decide(r.node, f);
        if (value.value === undefined || next.value === undefined) return { commandCondition: !!(value.commandCondition || next.commandCondition) };
        value = { value: r.op === "&&" ? value.value && next.value : value.value || next.value, ...(value.assumed || next.assumed ? { assumed: value.assumed ?? next.assumed } : {}) };
      }
      return value;
    }
    if (cond.type !== "simple" || !cond.words.length) return { commandCondition: cond.type !== "simple" };
    const words = cond.words.map((w) => expandWord(w, f));
    const head = words[0];
    if (head === "true" || head === ":") return { value: true };
    if (head === "false") return { value: false };
    if (head !== "[" && head !== "[[" && head !== "test") return { commandCondition: true };
    return evaluateTest(head === "test" ? words.slice(1) : words.slice(1, -1));
  };

  const expandedText = (cond: ShellNode, f: Frame): string => (cond.type === "list" ? cond.items : [cond]).map((n) => (n.type === "simple" ? n.words.map((w) => expandWord(w, f)).join(" ") : conditionText(n))).join("; ");

  const root: Frame = { vars: new Map(Object.entries(seed)), positional: [], depth: 0 };
  run(tree, root);
  for (const [name, fn] of functions) if (!fn.called) skip(fn.node.body, `function ${name} is never called`);
  for (const [, fn] of functions) account(fn.node.line, fn.node.line);
  return events;
}

/** Splits on whitespace outside `${{ … }}` (GitHub replaces those before bash sees the script). */
function splitFields(value: string): string[] {
  return value.match(/(?:\$\{\{[^}]*\}\}|\S)+/g) ?? [""];
}

/** `|| (echo …; exit 1)`, `|| exit 1`, `|| false`, `|| return 1`: the failure is not swallowed. */
function failsItself(node: ShellNode): boolean {
  const last = (n: ShellNode): ShellNode | undefined => {
    if (n.type === "list") return n.items.length ? last(n.items[n.items.length - 1]!) : undefined;
    if (n.type === "subshell" || n.type === "group") return last(n.body);
    if (n.type === "andor") return last(n.rest[n.rest.length - 1]!.node);
    return n;
  };
  const tail = last(node);
  if (tail?.type !== "simple") return false;
  const [head, arg] = tail.words.map((w) => w.raw);
  if (head === "false") return true;
  if (head === "exit" || head === "return") return arg === undefined ? node === tail : arg !== "0";
  return false;
}

function conditionText(cond: ShellNode): string {
  const words = (n: ShellNode): string => {
    switch (n.type) {
      case "simple":
        return n.words.map((w) => w.raw).join(" ");
      case "list":
        return n.items.map(words).join("; ");
      case "pipeline":
        return `${n.negated ? "! " : ""}${n.commands.map(words).join(" | ")}`;
      case "andor":
        return [words(n.first), ...n.rest.map((r) => `${r.op} ${words(r.node)}`)].join(" ");
      default:
        return n.type;
    }
  };
  return words(cond);
}

/** `[ a = b ]`, `[[ a == b* ]]`, `!=`, `-z`/`-n`, `-f/-d/-e/-s` (assumed true), `!`. Unknown values stay undecided. */
export function evaluateTest(inner: readonly string[]): { value?: boolean; assumed?: string } {
  if (inner[0] === "!" && inner.length > 1) {
    const r = evaluateTest(inner.slice(1));
    return r.value === undefined ? r : { ...r, value: !r.value };
  }
  const unresolved = inner.some((x) => UNRESOLVED.test(x) || x.includes("$("));
  if (inner.length === 3 && ["=", "=="].includes(inner[1]!) && !unresolved) return { value: globMatches(inner[2]!, inner[0]!) };
  if (inner.length === 3 && inner[1] === "!=" && !unresolved) return { value: !globMatches(inner[2]!, inner[0]!) };
  if (inner.length === 2 && inner[0] === "-z" && !unresolved) return { value: inner[1] === "" };
  if (inner.length === 2 && inner[0] === "-n" && !unresolved) return { value: inner[1] !== "" };
  if (inner.length === 2 && ["-f", "-d", "-e", "-s"].includes(inner[0]!))
    return { value: true, assumed: `file test "${inner.join(" ")}" assumed true: the generated workflow applies every registered service's manifests` };
  return {};
}

/** A shell pattern (`*`, `?`, `[…]`) matched against a whole string. */
function globMatches(pattern: string, text: string): boolean {
  if (!/[*?[]/.test(pattern)) return pattern === text;
  const re = pattern.replace(/[.+^${}()|\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  try {
    return new RegExp(`^${re}$`, "s").test(text);
  } catch {
    return pattern === text;
  }
}

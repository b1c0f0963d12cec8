/**
 * Just enough bash to read hand-written deploy scripts: `\` continuations, quotes, `${{ }}`
 * expressions, variables, `if/elif/else/fi` on string equality, `for x in …; do … done`,
 * `&&`, `||` and pipes. `execute` runs a script symbolically and returns the commands it would
 * run with their file lines; anything it cannot follow is returned as `unknown`, never dropped.
 */

/** One logical line: continuation lines joined, with the file line it starts on. */
export interface ScriptLine {
  text: string;
  line: number;
}

/** A command the script runs, after variable expansion. */
export interface ExecutedCommand {
  words: string[];
  line: number;
  /** Failure ignored: `… || true` (or any `||` fallback). */
  swallowed: boolean;
  /** Commands after a `|`, e.g. `kubectl apply -f -`. */
  pipedTo: string[][];
}

export interface ScriptEvents {
  commands: ExecutedCommand[];
  /** `export NAME=value` lines, in order. */
  exports: { name: string; value: string; line: number }[];
  /** `NAME=$(command)` lines: the variable stays symbolic (`${NAME}`) for later lines. */
  substitutions: { name: string; command: string; line: number }[];
  /** Conditions that could not be decided (file tests are assumed true and listed here). */
  assumptions: { text: string; line: number; message: string }[];
  unknown: { text: string; line: number; message: string }[];
}

/** Splits a run script into logical lines; `firstLine` is the file line of the script's first line. */
export function logicalLines(script: string, firstLine: number): ScriptLine[] {
  const out: ScriptLine[] = [];
  const raw = script.split("\n");
  let pending: ScriptLine | undefined;
  raw.forEach((text, i) => {
    const line = firstLine + i;
    const continued = /(^|[^\\])\\$/.test(text.trimEnd());
    const body = continued ? text.trimEnd().slice(0, -1) : text;
    if (pending) pending.text += ` ${body.trim()}`;
    else pending = { text: body.trim(), line };
    if (!continued) {
      if (pending.text && !pending.text.startsWith("#")) out.push({ text: stripComment(pending.text), line: pending.line });
      pending = undefined;
    }
  });
  if (pending?.text) out.push(pending);
  return out;
}

/** Removes a trailing ` # comment` outside quotes. */
function stripComment(text: string): string {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "#" && (i === 0 || /\s/.test(text[i - 1]!)) && !text.slice(0, i).endsWith("$")) return text.slice(0, i).trimEnd();
  }
  return text;
}

export type Token = { op: string } | { word: string };

/**
 * Words and operators of one logical line. Quotes are removed; `$NAME` / `${NAME}` are replaced
 * from `vars` (unknown variables stay as `${NAME}`); `${{ … }}` stays one piece, text as written.
 */
export function tokenize(text: string, vars: Readonly<Record<string, string>>): Token[] {
  const tokens: Token[] = [];
  let word = "";
  let inWord = false;
  let i = 0;
  const flush = (): void => {
    if (inWord) tokens.push({ word });
    word = "";
    inWord = false;
  };
  const expand = (quoted: boolean): void => {
    // at text[i] === "$"
    if (text.startsWith("${{", i)) {
      const end = text.indexOf("}}", i);
      const expr = end === -1 ? text.slice(i) : text.slice(i, end + 2);
      word += normalizeExpression(expr);
      i += expr.length;
      return;
    }
    if (text.startsWith("$(", i)) {
      let depth = 0;
      let j = i + 1;
      for (; j < text.length; j++) {
        if (text[j] === "(") depth++;
        else if (text[j] === ")" && --depth === 0) break;
      }
      word += text.slice(i, j + 1);
      i = j + 1;
      return;
    }
    const m = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/.exec(text.slice(i));
    if (!m) {
      word += "$";
      i++;
      return;
    }
    const name = (m[1] ?? m[2])!;
    word += vars[name] ?? `\${${name}}`;
    i += m[0].length;
    void quoted;
  };
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      flush();
      i++;
    } else if (c === "'") {
      inWord = true;
      const end = text.indexOf("'", i + 1);
      word += end === -1 ? text.slice(i + 1) : text.slice(i + 1, end);
      i = end === -1 ? text.length : end + 1;
    } else if (c === '"') {
      inWord = true;
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === "\\" && i + 1 < text.length) {
          word += text[i + 1];
          i += 2;
        } else if (text[i] === "$") expand(true);
        else word += text[i++];
      }
      i++;
    } else if (c === "$") {
      inWord = true;
      expand(false);
    } else if (c === "|" || c === "&" || c === ";" || c === "<" || c === ">") {
      const two = text.slice(i, i + 2);
      if (c !== "<" && c !== ">" && (two === "||" || two === "&&" || two === ";;")) {
        flush();
        tokens.push({ op: two });
        i += 2;
      } else if ((c === ">" || c === "<") && /^\d+$/.test(word) && inWord) {
        // 2>/dev/null: a redirection of a file descriptor
        word = "";
        inWord = false;
        tokens.push({ op: c });
        i++;
      } else {
        flush();
        tokens.push({ op: c === ">" && text[i + 1] === ">" ? ">>" : c });
        i += c === ">" && text[i + 1] === ">" ? 2 : 1;
      }
    } else if (c === "\\" && i + 1 < text.length) {
      inWord = true;
      word += text[i + 1];
      i += 2;
    } else {
      inWord = true;
      word += c;
      i++;
    }
  }
  flush();
  return tokens;
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

// ---------------------------------------------------------------------------------------------
// Control flow

type Node =
  | { type: "simple"; text: string; line: number }
  | { type: "if"; branches: { cond?: string; line: number; body: Node[] }[]; line: number }
  | { type: "for"; variable: string; list: string; line: number; body: Node[] };

/** Splits `a; then b` into segments; keywords that start a body become their own segment. */
function segments(lines: ScriptLine[]): ScriptLine[] {
  const out: ScriptLine[] = [];
  for (const l of lines) {
    for (let seg of splitTopLevel(l.text, ";")) {
      seg = seg.trim();
      while (seg) {
        const m = /^(then|do|else)\b\s*(.*)$/.exec(seg);
        if (m) {
          out.push({ text: m[1]!, line: l.line });
          seg = m[2]!.trim();
        } else {
          out.push({ text: seg, line: l.line });
          seg = "";
        }
      }
    }
  }
  return out;
}

/** Splits on a single-character separator outside quotes and `${{ }}` (not on `;;`). */
function splitTopLevel(text: string, sep: string): string[] {
  const parts: string[] = [];
  let quote: string | undefined;
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (text.startsWith("${{", i)) depth++;
    else if (text.startsWith("}}", i) && depth > 0) depth--;
    else if (depth === 0 && c === sep && text[i + 1] !== sep && text[i - 1] !== sep) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

interface Cursor {
  segs: ScriptLine[];
  i: number;
}

function parseBlock(c: Cursor, until: readonly string[]): Node[] {
  const nodes: Node[] = [];
  while (c.i < c.segs.length) {
    const seg = c.segs[c.i]!;
    const head = seg.text.split(/\s+/)[0]!;
    if (until.includes(head)) return nodes;
    c.i++;
    if (head === "if") {
      const node: Node = { type: "if", branches: [], line: seg.line };
      let cond: string | undefined = seg.text.slice(2).trim();
      let line = seg.line;
      for (;;) {
        if (c.segs[c.i]?.text === "then") c.i++;
        const body = parseBlock(c, ["elif", "else", "fi"]);
        node.branches.push({ ...(cond !== undefined ? { cond } : {}), line, body });
        const next = c.segs[c.i];
        if (!next) break;
        c.i++;
        const nextHead = next.text.split(/\s+/)[0]!;
        if (nextHead === "fi") break;
        line = next.line;
        cond = nextHead === "elif" ? next.text.slice(4).trim() : undefined;
      }
      nodes.push(node);
    } else if (head === "for") {
      const m = /^for\s+([A-Za-z_][A-Za-z0-9_]*)\s+in\s+(.*)$/.exec(seg.text);
      if (c.segs[c.i]?.text === "do") c.i++;
      const body = parseBlock(c, ["done"]);
      c.i++;
      nodes.push(m ? { type: "for", variable: m[1]!, list: m[2]!, line: seg.line, body } : { type: "simple", text: seg.text, line: seg.line });
    } else nodes.push({ type: "simple", text: seg.text, line: seg.line });
  }
  return nodes;
}

const isWord = (t: Token | undefined): t is { word: string } => t !== undefined && "word" in t;

/**
 * Runs the script symbolically. `vars` seeds shell variables; conditions on string equality
 * are decided, file tests are assumed true (and reported), anything else is unknown.
 */
export function execute(lines: ScriptLine[], seed: Readonly<Record<string, string>> = {}): ScriptEvents {
  const events: ScriptEvents = { commands: [], exports: [], substitutions: [], assumptions: [], unknown: [] };
  const vars: Record<string, string> = { ...seed };
  const tree = parseBlock({ segs: segments(lines), i: 0 }, []);
  const run = (nodes: Node[]): void => {
    for (const node of nodes) {
      if (node.type === "for") {
        const words = tokenize(node.list, vars).filter(isWord).flatMap((t) => t.word.split(/\s+/).filter(Boolean));
        for (const w of words) {
          vars[node.variable] = w;
          run(node.body);
        }
        delete vars[node.variable];
      } else if (node.type === "if") {
        for (const b of node.branches) {
          if (b.cond === undefined) {
            run(b.body);
            break;
          }
          const decided = evaluateCondition(b.cond, vars);
          if (decided.assumed) events.assumptions.push({ text: b.cond, line: b.line, message: decided.assumed });
          if (decided.value === undefined) {
            events.unknown.push({ text: b.cond, line: b.line, message: "condition the importer cannot decide" });
            break;
          }
          if (decided.value) {
            run(b.body);
            break;
          }
        }
      } else simple(node.text, node.line);
    }
  };
  const simple = (text: string, line: number): void => {
    const tokens = tokenize(text, vars);
    // Assignment: NAME=value (alone), or export NAME=value.
    const words = tokens.filter(isWord).map((t) => t.word);
    const exported = words[0] === "export";
    const assign = /^([A-Za-z_][A-Za-z0-9_]*)=([\s\S]*)$/.exec(exported ? (words[1] ?? "") : (words[0] ?? ""));
    if (assign && tokens.length === (exported ? 2 : 1)) {
      const [, name, value] = assign;
      // A command substitution stays symbolic: ${NAME} is what later lines see.
      if (!value!.includes("$(")) vars[name!] = value!;
      else events.substitutions.push({ name: name!, command: value!.replace(/^\$\(|\)$/g, "").trim(), line });
      if (exported) events.exports.push({ name: name!, value: value!, line });
      return;
    }
    // cmd1 && cmd2 || fallback ; cmd | cmd
    const chains: Token[][] = [[]];
    const joins: string[] = [];
    for (const t of tokens) {
      if ("op" in t && (t.op === "&&" || t.op === "||")) {
        chains.push([]);
        joins.push(t.op);
      } else chains[chains.length - 1]!.push(t);
    }
    chains.forEach((chain, k) => {
      if (joins[k - 1] === "||") return; // a fallback: recorded as swallowing on the command before
      const pipeline: string[][] = [[]];
      let redirect = false;
      for (const t of chain) {
        if ("op" in t) {
          if (t.op === "|") pipeline.push([]);
          redirect = t.op === ">" || t.op === ">>" || t.op === "<";
          continue;
        }
        if (redirect) {
          redirect = false;
          continue;
        }
        pipeline[pipeline.length - 1]!.push(t.word);
      }
      const [first, ...rest] = pipeline;
      if (!first?.length) return;
      events.commands.push({ words: first, line, swallowed: joins[k] === "||", pipedTo: rest.filter((p) => p.length) });
    });
  };
  run(tree);
  return events;
}

/** Decides `[ "$a" = "b" ]`, `[[ a == b ]]`, `!=`, `-f/-d` (assumed true), joined by `||`/`&&`. */
export function evaluateCondition(cond: string, vars: Readonly<Record<string, string>>): { value?: boolean; assumed?: string } {
  const tokens = tokenize(cond, vars);
  const groups: { words: string[]; join?: string }[] = [{ words: [] }];
  for (const t of tokens) {
    if ("op" in t && (t.op === "||" || t.op === "&&")) groups.push({ words: [], join: t.op });
    else if ("word" in t) groups[groups.length - 1]!.words.push(t.word);
    else return {};
  }
  let value: boolean | undefined;
  let assumed: string | undefined;
  for (const g of groups) {
    const w = g.words;
    const open = w[0];
    const close = w[w.length - 1];
    if (!((open === "[" && close === "]") || (open === "[[" && close === "]]"))) return {};
    const inner = w.slice(1, -1);
    const unresolved = inner.some((x) => /\$\{[A-Za-z_]/.test(x));
    let v: boolean;
    if (inner.length === 3 && (inner[1] === "=" || inner[1] === "==") && !unresolved) v = inner[0] === inner[2];
    else if (inner.length === 3 && inner[1] === "!=" && !unresolved) v = inner[0] !== inner[2];
    else if (inner.length === 2 && ["-f", "-d", "-e", "-s"].includes(inner[0]!)) {
      v = true;
      assumed = `file test "${inner.join(" ")}" assumed true: the generated workflow applies every registered service's manifests`;
    } else return {};
    value = value === undefined ? v : g.join === "&&" ? value && v : value || v;
  }
  return { ...(value !== undefined ? { value } : {}), ...(assumed ? { assumed } : {}) };
}

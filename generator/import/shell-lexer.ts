/**
 * Bash source -> tokens, with the file line of each. Words keep their parts (quoted text,
 * `${X:-d}` parameter expansions, `$(…)`/backtick substitutions as one opaque piece, `${{ }}`
 * expressions) so the executor can expand them later; heredoc bodies are read with the `<<`
 * that opens them. A script bash would refuse (an unterminated quote, substitution or heredoc)
 * raises ShellSyntaxError with its line, never a wrong reading.
 */

export type WordPart =
  | { t: "lit"; v: string; quoted: boolean }
  /** `$X`, `${X}`, `${X:-word}` …; `op` is absent for a plain reference, "other" for `${X%…}` and friends. */
  | { t: "param"; name: string; op?: string; arg?: WordPart[]; quoted: boolean; raw: string }
  /** `$(…)`, `` `…` `` (normalized to `$(…)`) or `$((…))`: one opaque piece, never run. */
  | { t: "sub"; raw: string; quoted: boolean }
  /** `${{ … }}`, a GitHub expression. */
  | { t: "expr"; raw: string };

export interface WordToken {
  kind: "word";
  parts: WordPart[];
  /** The source text of the word. */
  raw: string;
  line: number;
}

export interface OpToken {
  kind: "op";
  op: string;
  line: number;
  /** For `<<` / `<<-`: the body, filled in when its line ends. */
  heredoc?: { body: string; endLine: number };
}

export type ShellToken = WordToken | OpToken;

export class ShellSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

const OPERATORS = ["&&", "||", ";;", ";&", "|&", "<<-", "<<<", "<<", ">>", ">&", "<&", "&>>", "&>", ">|", "<>", ";", "|", "&", "(", ")", "<", ">"];
const WORD_END = /[\s;&|()<>]/;

/** Tokens of a script whose first line is file line `firstLine`. Newlines are `op: "\n"` tokens. */
export function lex(script: string, firstLine: number): ShellToken[] {
  const text = script.replace(/\r\n?/g, "\n");
  const tokens: ShellToken[] = [];
  let i = 0;
  let line = firstLine;
  const pendingHeredocs: { token: OpToken; delimiter: string; stripTabs: boolean }[] = [];

  const fail = (at: number, message: string): never => {
    throw new ShellSyntaxError(at, message);
  };
  const advance = (n: number): void => {
    for (let k = 0; k < n; k++) if (text[i + k] === "\n") line++;
    i += n;
  };

  /** From `start` (just after an opener), the index after the matching closer, skipping quotes and nesting. */
  const matchClose = (start: number, open: string, close: string, what: string, startLine: number): number => {
    let depth = 1;
    let j = start;
    while (j < text.length) {
      const c = text[j]!;
      if (c === "\\") j += 2;
      else if (c === "'") {
        const end = text.indexOf("'", j + 1);
        if (end === -1) fail(startLine, `unterminated single quote inside ${what}`);
        j = end + 1;
      } else if (c === '"') {
        j++;
        while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
        if (j >= text.length) fail(startLine, `unterminated double quote inside ${what}`);
        j++;
      } else if (text.startsWith(close, j) && --depth === 0) return j + close.length;
      else if (text.startsWith(open, j)) {
        depth++;
        j += open.length;
      } else j++;
    }
    return fail(startLine, `unterminated ${what}`);
  };

  /** At `$`: one expansion part. */
  const dollar = (quoted: boolean): WordPart => {
    const startLine = line;
    if (text.startsWith("${{", i)) {
      const end = text.indexOf("}}", i);
      if (end === -1) fail(startLine, "unterminated ${{ expression");
      const raw = text.slice(i, end + 2);
      advance(raw.length);
      return { t: "expr", raw };
    }
    if (text.startsWith("$((", i)) {
      const end = matchClose(i + 3, "((", "))", "arithmetic $((", startLine);
      const raw = text.slice(i, end);
      advance(raw.length);
      return { t: "sub", raw, quoted };
    }
    if (text.startsWith("$(", i)) {
      const end = matchClose(i + 2, "(", ")", "command substitution $(", startLine);
      const raw = text.slice(i, end);
      advance(raw.length);
      return { t: "sub", raw, quoted };
    }
    if (text.startsWith("${", i)) {
      const end = matchClose(i + 2, "{", "}", "parameter expansion ${", startLine);
      const raw = text.slice(i, end);
      const inner = raw.slice(2, -1);
      advance(raw.length);
      return parameter(inner, raw, quoted, startLine);
    }
    const m = /^\$([A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-])/.exec(text.slice(i, i + 200));
    if (!m) {
      advance(1);
      return { t: "lit", v: "$", quoted };
    }
    advance(m[0].length);
    return { t: "param", name: m[1]!, quoted, raw: m[0] };
  };

  const parameter = (inner: string, raw: string, quoted: boolean, at: number): WordPart => {
    const m = /^([A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-])(:?[-=+?])([\s\S]*)$/.exec(inner);
    if (m) return { t: "param", name: m[1]!, op: m[2]!, arg: lexWordText(m[3]!, at, quoted), quoted, raw };
    if (/^([A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-])$/.test(inner)) return { t: "param", name: inner, quoted, raw };
    const name = /^[#!]?([A-Za-z_][A-Za-z0-9_]*)/.exec(inner)?.[1] ?? inner;
    return { t: "param", name, op: "other", quoted, raw };
  };

  const word = (): WordToken => {
    const startLine = line;
    const start = i;
    const parts: WordPart[] = [];
    const lit = (v: string, quoted: boolean): void => {
      const last = parts[parts.length - 1];
      if (last?.t === "lit" && last.quoted === quoted) last.v += v;
      else parts.push({ t: "lit", v, quoted });
    };
    while (i < text.length) {
      const c = text[i]!;
      if (WORD_END.test(c)) {
        // `names=(a b)`, `failed+=("$x")`: an array assignment is one word.
        if (c !== "(" || !/^[A-Za-z_][A-Za-z0-9_]*\+?=$/.test(text.slice(start, i))) break;
        const end = matchClose(i + 1, "(", ")", "array assignment (", startLine);
        lit(text.slice(i, end), false);
        advance(end - i);
        continue;
      }
      if (c === "\\") {
        if (text[i + 1] === "\n") advance(2);
        else {
          lit(text[i + 1] ?? "", true);
          advance(2);
        }
      } else if (c === "'") {
        const end = text.indexOf("'", i + 1);
        if (end === -1) fail(startLine, "unterminated single quote");
        lit(text.slice(i + 1, end), true);
        advance(end + 1 - i);
      } else if (c === '"') {
        advance(1);
        let closed = false;
        while (i < text.length) {
          const d = text[i]!;
          if (d === '"') {
            advance(1);
            closed = true;
            break;
          }
          if (d === "\\" && '$`"\\\n'.includes(text[i + 1] ?? "")) {
            if (text[i + 1] !== "\n") lit(text[i + 1]!, true);
            advance(2);
          } else if (d === "$") parts.push(dollar(true));
          else if (d === "`") parts.push(backtick(true));
          else {
            lit(d, true);
            advance(1);
          }
        }
        if (!closed) fail(startLine, "unterminated double quote");
        if (!parts.length) lit("", true);
      } else if (c === "$") parts.push(dollar(false));
      else if (c === "`") parts.push(backtick(false));
      else {
        lit(c, false);
        advance(1);
      }
    }
    return { kind: "word", parts, raw: text.slice(start, i), line: startLine };
  };

  const backtick = (quoted: boolean): WordPart => {
    const startLine = line;
    let j = i + 1;
    while (j < text.length && text[j] !== "`") j += text[j] === "\\" ? 2 : 1;
    if (j >= text.length) fail(startLine, "unterminated backtick command substitution");
    const inner = text.slice(i + 1, j);
    advance(j + 1 - i);
    return { t: "sub", raw: `$(${inner})`, quoted };
  };

  const readHeredocs = (): void => {
    for (const h of pendingHeredocs.splice(0)) {
      const bodyLines: string[] = [];
      const openedAt = h.token.line;
      for (;;) {
        if (i >= text.length) fail(openedAt, `heredoc <<${h.delimiter} is never closed (no line "${h.delimiter}")`);
        const nl = text.indexOf("\n", i);
        const raw = nl === -1 ? text.slice(i) : text.slice(i, nl);
        const content = h.stripTabs ? raw.replace(/^\t+/, "") : raw;
        const endLine = line;
        advance((nl === -1 ? text.length : nl + 1) - i);
        if (content === h.delimiter) {
          h.token.heredoc = { body: bodyLines.join("\n"), endLine };
          break;
        }
        bodyLines.push(content);
      }
    }
  };

  while (i < text.length) {
    const c = text[i]!;
    if (c === "\n") {
      tokens.push({ kind: "op", op: "\n", line });
      advance(1);
      if (pendingHeredocs.length) readHeredocs();
    } else if (c === " " || c === "\t") advance(1);
    else if (c === "\\" && text[i + 1] === "\n") advance(2);
    else if (c === "#") {
      while (i < text.length && text[i] !== "\n") i++;
    } else {
      const op = OPERATORS.find((o) => text.startsWith(o, i));
      if (op) {
        const token: OpToken = { kind: "op", op, line };
        tokens.push(token);
        advance(op.length);
        if (op === "<<" || op === "<<-") {
          while (text[i] === " " || text[i] === "\t") advance(1);
          const delim = word();
          if (!delim.raw) fail(token.line, "heredoc without a delimiter word");
          pendingHeredocs.push({ token, delimiter: delim.parts.map((p) => (p.t === "lit" ? p.v : p.raw)).join(""), stripTabs: op === "<<-" });
        }
      } else {
        const w = word();
        // `2>`, `2>&1`: a file-descriptor number glued to a redirection belongs to it.
        if (/^\d+$/.test(w.raw) && (text[i] === ">" || text[i] === "<")) continue;
        tokens.push(w);
      }
    }
  }
  if (pendingHeredocs.length) fail(pendingHeredocs[0]!.token.line, `heredoc <<${pendingHeredocs[0]!.delimiter} is never closed`);
  return tokens;
}

/** The parts of a word given as text (the `d` of `${X:-d}`), lexed with the same rules. */
function lexWordText(text: string, line: number, quoted: boolean): WordPart[] {
  if (!text) return [{ t: "lit", v: "", quoted }];
  const parts: WordPart[] = [];
  for (const token of lex(text, line)) {
    if (token.kind !== "word") continue;
    if (parts.length) parts.push({ t: "lit", v: " ", quoted });
    parts.push(...token.parts.map((p) => (p.t === "lit" && quoted ? { ...p, quoted } : p)));
  }
  return parts.length ? parts : [{ t: "lit", v: text, quoted }];
}

/**
 * Shell tokens -> a syntax tree: lists, `&&`/`||` chains, pipelines, simple commands with their
 * redirections and heredocs, and the compound commands deploy scripts use (if, for, while/until,
 * case, subshells, `{ }` groups, function definitions). Every node knows the file lines it spans,
 * so the executor can account for every line. A construct left open (`for` without `done`, `if`
 * without `fi`) raises ShellSyntaxError at the line that opened it.
 */
import { lex, type OpToken, ShellSyntaxError, type ShellToken, type WordPart, type WordToken } from "./shell-lexer.ts";

export interface Span {
  line: number;
  endLine: number;
}

export interface Redirect {
  op: string;
  target?: WordToken;
  heredoc?: { body: string; endLine: number };
}

export type ShellNode =
  | ({ type: "simple"; assigns: { name: string; value: WordPart[]; raw: string }[]; words: WordToken[]; redirects: Redirect[] } & Span)
  | ({ type: "pipeline"; negated: boolean; commands: ShellNode[] } & Span)
  | ({ type: "andor"; first: ShellNode; rest: { op: "&&" | "||"; node: ShellNode }[] } & Span)
  | ({ type: "list"; items: ShellNode[] } & Span)
  | ({ type: "if"; clauses: { cond: ShellNode; body: ShellNode; line: number }[]; otherwise?: ShellNode; keywordLines: number[] } & Span)
  | ({ type: "for"; variable: string; items?: WordToken[]; body: ShellNode; keywordLines: number[] } & Span)
  | ({ type: "while"; until: boolean; cond: ShellNode; body: ShellNode; keywordLines: number[]; redirects: Redirect[] } & Span)
  | ({ type: "case"; subject: WordToken; arms: { patterns: WordToken[]; body: ShellNode; line: number }[]; keywordLines: number[] } & Span)
  | ({ type: "subshell"; body: ShellNode; keywordLines: number[] } & Span)
  | ({ type: "group"; body: ShellNode; keywordLines: number[] } & Span)
  | ({ type: "function"; name: string; body: ShellNode; keywordLines: number[] } & Span);

const RESERVED = new Set(["if", "then", "elif", "else", "fi", "for", "in", "do", "done", "while", "until", "case", "esac", "{", "}", "!", "function"]);
const REDIRECTS = new Set(["<", ">", ">>", ">&", "<&", "&>", "&>>", ">|", "<>", "<<", "<<-", "<<<"]);

/** Parses a whole script; throws ShellSyntaxError. */
export function parseScript(script: string, firstLine: number): ShellNode {
  const tokens = lex(script, firstLine);
  const p = new Parser(tokens, firstLine);
  const list = p.list([]);
  const rest = p.peek();
  if (rest) throw new ShellSyntaxError(rest.line, `unexpected ${describe(rest)}`);
  return list;
}

function describe(t: ShellToken): string {
  return t.kind === "word" ? `"${t.raw}"` : t.op === "\n" ? "end of line" : `"${t.op}"`;
}

/** A word that is a plain unquoted literal (how reserved words are recognized). */
function plain(t: ShellToken | undefined): string | undefined {
  if (t?.kind !== "word" || t.parts.length !== 1) return undefined;
  const p = t.parts[0]!;
  return p.t === "lit" && !p.quoted ? p.v : undefined;
}

class Parser {
  private i = 0;
  private lastLine: number;
  constructor(
    private readonly tokens: ShellToken[],
    firstLine: number,
  ) {
    this.lastLine = firstLine;
  }

  peek(): ShellToken | undefined {
    return this.tokens[this.i];
  }
  private next(): ShellToken {
    const t = this.tokens[this.i++]!;
    this.lastLine = Math.max(this.lastLine, t.kind === "op" && t.heredoc ? t.heredoc.endLine : t.line);
    return t;
  }
  private isOp(op: string): boolean {
    const t = this.peek();
    return t?.kind === "op" && t.op === op;
  }
  private isWord(w: string): boolean {
    return plain(this.peek()) === w;
  }
  private skipNewlines(): void {
    while (this.isOp("\n")) this.next();
  }
  /** Consumes reserved word `w` (after newlines/semicolons), or fails naming the construct opened at `openedAt`. */
  private expect(w: string, construct: string, openedAt: number, keywordLines: number[]): void {
    this.skipSeparators();
    if (!this.isWord(w)) {
      const t = this.peek();
      throw new ShellSyntaxError(openedAt, `${construct} opened here has no "${w}"${t ? ` (found ${describe(t)} at line ${t.line})` : " (the script ends first)"}`);
    }
    keywordLines.push(this.next().line);
  }
  private skipSeparators(): void {
    while (this.isOp("\n") || this.isOp(";")) this.next();
  }

  /** Commands up to one of the reserved words `until` (or `)`/`;;`/end), separated by `;`, `&` or newlines. */
  list(until: readonly string[]): ShellNode {
    const items: ShellNode[] = [];
    const start = this.peek()?.line ?? this.lastLine;
    for (;;) {
      this.skipSeparators();
      const t = this.peek();
      if (!t) break;
      if (t.kind === "op" && (t.op === ")" || t.op === ";;" || t.op === ";&")) break;
      const w = plain(t);
      if (w !== undefined && until.includes(w)) break;
      if (w !== undefined && ["then", "elif", "else", "fi", "do", "done", "esac", "}"].includes(w)) break;
      items.push(this.andOr());
      if (this.isOp("&")) this.next();
    }
    return { type: "list", items, line: items[0]?.line ?? start, endLine: items.length ? items[items.length - 1]!.endLine : start };
  }

  private andOr(): ShellNode {
    const first = this.pipeline();
    const rest: { op: "&&" | "||"; node: ShellNode }[] = [];
    while (this.isOp("&&") || this.isOp("||")) {
      const op = (this.next() as OpToken).op as "&&" | "||";
      this.skipNewlines();
      rest.push({ op, node: this.pipeline() });
    }
    if (!rest.length) return first;
    return { type: "andor", first, rest, line: first.line, endLine: rest[rest.length - 1]!.node.endLine };
  }

  private pipeline(): ShellNode {
    let negated = false;
    if (this.isWord("!")) {
      this.next();
      negated = true;
    }
    const commands = [this.command()];
    while (this.isOp("|") || this.isOp("|&")) {
      this.next();
      this.skipNewlines();
      commands.push(this.command());
    }
    if (commands.length === 1 && !negated) return commands[0]!;
    return { type: "pipeline", negated, commands, line: commands[0]!.line, endLine: commands[commands.length - 1]!.endLine };
  }

  private command(): ShellNode {
    const t = this.peek();
    if (!t) throw new ShellSyntaxError(this.lastLine, "a command is missing at the end of the script");
    const w = plain(t);
    if (t.kind === "op" && t.op === "(") return this.withRedirects(this.subshell());
    if (w === "if") return this.withRedirects(this.ifClause());
    if (w === "for") return this.withRedirects(this.forClause());
    if (w === "while" || w === "until") return this.whileClause();
    if (w === "case") return this.withRedirects(this.caseClause());
    if (w === "{") return this.withRedirects(this.group());
    if (w === "function") return this.functionDef(true);
    if (t.kind === "word" && /^[A-Za-z_][A-Za-z0-9_-]*$/.test(w ?? "") && this.tokens[this.i + 1]?.kind === "op" && (this.tokens[this.i + 1] as OpToken).op === "(" && this.tokens[this.i + 2]?.kind === "op" && (this.tokens[this.i + 2] as OpToken).op === ")")
      return this.functionDef(false);
    if (t.kind === "op" && !REDIRECTS.has(t.op)) throw new ShellSyntaxError(t.line, `unexpected ${describe(t)}`);
    if (w !== undefined && ["then", "elif", "else", "fi", "do", "done", "esac", "}", "in"].includes(w)) throw new ShellSyntaxError(t.line, `unexpected "${w}"`);
    return this.simple();
  }

  /** Redirections after a compound command (`done < file`, `} > log`): read and kept out of the way. */
  private withRedirects<N extends ShellNode>(node: N): N {
    while (this.peek()?.kind === "op" && REDIRECTS.has((this.peek() as OpToken).op)) {
      this.next();
      if (this.peek()?.kind === "word") this.next();
      node.endLine = Math.max(node.endLine, this.lastLine);
    }
    return node;
  }

  private simple(): ShellNode {
    const assigns: { name: string; value: WordPart[]; raw: string }[] = [];
    const words: WordToken[] = [];
    const redirects: Redirect[] = [];
    const line = this.peek()!.line;
    for (;;) {
      const t = this.peek();
      if (!t) break;
      if (t.kind === "op") {
        if (!REDIRECTS.has(t.op)) break;
        this.next();
        const target = this.peek();
        if (t.op === "<<" || t.op === "<<-") {
          redirects.push({ op: t.op, ...(t.heredoc ? { heredoc: t.heredoc } : {}) });
          continue;
        }
        if (target?.kind !== "word") throw new ShellSyntaxError(t.line, `redirection "${t.op}" without a target`);
        this.next();
        redirects.push({ op: t.op, target });
        continue;
      }
      const first = t.parts[0];
      const m = !words.length && first?.t === "lit" && !first.quoted ? /^([A-Za-z_][A-Za-z0-9_]*)\+?=/.exec(first.v) : null;
      if (m) {
        this.next();
        const value: WordPart[] = [{ ...first!, v: (first as { v: string }).v.slice(m[0].length) } as WordPart, ...t.parts.slice(1)];
        assigns.push({ name: m[1]!, value, raw: t.raw });
        continue;
      }
      words.push(this.next() as WordToken);
    }
    return { type: "simple", assigns, words, redirects, line, endLine: this.lastLine };
  }

  private subshell(): ShellNode {
    const open = this.next();
    const body = this.list([]);
    this.skipSeparators();
    if (!this.isOp(")")) throw new ShellSyntaxError(open.line, "subshell ( opened here is never closed with )");
    const close = this.next();
    return { type: "subshell", body, keywordLines: [open.line, close.line], line: open.line, endLine: close.line };
  }

  private group(): ShellNode {
    const open = this.next();
    const keywordLines = [open.line];
    const body = this.list(["}"]);
    this.expect("}", "group {", open.line, keywordLines);
    return { type: "group", body, keywordLines, line: open.line, endLine: this.lastLine };
  }

  private ifClause(): ShellNode {
    const open = this.next();
    const keywordLines = [open.line];
    const clauses: { cond: ShellNode; body: ShellNode; line: number }[] = [];
    let otherwise: ShellNode | undefined;
    let condLine = open.line;
    for (;;) {
      const cond = this.list(["then"]);
      this.expect("then", "if", open.line, keywordLines);
      const body = this.list(["elif", "else", "fi"]);
      clauses.push({ cond, body, line: condLine });
      this.skipSeparators();
      if (this.isWord("elif")) {
        condLine = this.next().line;
        keywordLines.push(condLine);
        continue;
      }
      if (this.isWord("else")) {
        keywordLines.push(this.next().line);
        otherwise = this.list(["fi"]);
      }
      this.expect("fi", "if", open.line, keywordLines);
      break;
    }
    return { type: "if", clauses, ...(otherwise ? { otherwise } : {}), keywordLines, line: open.line, endLine: this.lastLine };
  }

  private forClause(): ShellNode {
    const open = this.next();
    const keywordLines = [open.line];
    const name = this.peek();
    if (plain(name) === undefined || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(plain(name)!)) throw new ShellSyntaxError(open.line, "for without a variable name");
    this.next();
    let items: WordToken[] | undefined;
    this.skipNewlines();
    if (this.isWord("in")) {
      this.next();
      items = [];
      while (this.peek()?.kind === "word") items.push(this.next() as WordToken);
    }
    this.expect("do", "for", open.line, keywordLines);
    const body = this.list(["done"]);
    this.expect("done", "for", open.line, keywordLines);
    return { type: "for", variable: plain(name)!, ...(items ? { items } : {}), body, keywordLines, line: open.line, endLine: this.lastLine };
  }

  private whileClause(): ShellNode {
    const open = this.next();
    const keywordLines = [open.line];
    const cond = this.list(["do"]);
    this.expect("do", plain(open)!, open.line, keywordLines);
    const body = this.list(["done"]);
    this.expect("done", plain(open)!, open.line, keywordLines);
    const node: ShellNode = { type: "while", until: plain(open) === "until", cond, body, keywordLines, redirects: [], line: open.line, endLine: this.lastLine };
    return this.withRedirects(node);
  }

  private caseClause(): ShellNode {
    const open = this.next();
    const keywordLines = [open.line];
    const subject = this.peek();
    if (subject?.kind !== "word") throw new ShellSyntaxError(open.line, "case without a word");
    this.next();
    this.skipNewlines();
    if (!this.isWord("in")) throw new ShellSyntaxError(open.line, 'case without "in"');
    keywordLines.push(this.next().line);
    const arms: { patterns: WordToken[]; body: ShellNode; line: number }[] = [];
    for (;;) {
      this.skipNewlines();
      if (this.isWord("esac")) {
        keywordLines.push(this.next().line);
        break;
      }
      const t = this.peek();
      if (!t) throw new ShellSyntaxError(open.line, 'case opened here has no "esac"');
      if (this.isOp("(")) this.next();
      const patterns: WordToken[] = [];
      const armLine = this.peek()?.line ?? open.line;
      for (;;) {
        const p = this.peek();
        if (p?.kind !== "word") throw new ShellSyntaxError(armLine, "case pattern expected");
        patterns.push(this.next() as WordToken);
        if (this.isOp("|")) {
          this.next();
          continue;
        }
        if (this.isOp(")")) {
          this.next();
          break;
        }
        throw new ShellSyntaxError(armLine, 'case pattern without ")"');
      }
      const body = this.list(["esac"]);
      arms.push({ patterns, body, line: armLine });
      this.skipNewlines();
      if (this.isOp(";;") || this.isOp(";&")) keywordLines.push(this.next().line);
      else if (!this.isWord("esac")) throw new ShellSyntaxError(open.line, 'case opened here has no "esac"');
    }
    return { type: "case", subject: subject as WordToken, arms, keywordLines, line: open.line, endLine: this.lastLine };
  }

  private functionDef(keyword: boolean): ShellNode {
    const open = this.next();
    const keywordLines = [open.line];
    let name = plain(open)!;
    if (keyword) {
      const n = this.peek();
      if (plain(n) === undefined) throw new ShellSyntaxError(open.line, "function without a name");
      name = plain(this.next())!;
    }
    if (this.isOp("(")) {
      this.next();
      if (!this.isOp(")")) throw new ShellSyntaxError(open.line, `function ${name}( without ")"`);
      this.next();
    }
    this.skipNewlines();
    const t = this.peek();
    if (!t) throw new ShellSyntaxError(open.line, `function ${name} has no body`);
    const body = this.command();
    return { type: "function", name, body, keywordLines, line: open.line, endLine: body.endLine };
  }
}

export { ShellSyntaxError, RESERVED };

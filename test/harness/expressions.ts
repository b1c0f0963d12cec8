/**
 * Evaluation of GitHub Actions `${{ … }}` expressions with @actions/expressions, the same
 * lexer/parser/evaluator the Actions language services use, so operator semantics (loose equality,
 * case-insensitive context keys, `||` returning operands) match GitHub rather than JavaScript.
 *
 * Pure: no filesystem or process access. hashFiles() is injected by the caller.
 */
import { Evaluator, Lexer, Parser, data } from "@actions/expressions";
import type { Expr } from "@actions/expressions";
import type { FunctionDefinition, FunctionInfo } from "@actions/expressions/funcs/info";
import { TokenType } from "@actions/expressions/lexer";
import { truthy } from "@actions/expressions/result";

/** Contexts the parser accepts even when the caller leaves them empty (absent ones read as null). */
export const CONTEXT_NAMES = [
  "github",
  "env",
  "secrets",
  "vars",
  "matrix",
  "inputs",
  "needs",
  "steps",
  "job",
  "runner",
  "strategy",
] as const;

/** What success()/failure()/cancelled() answer at the point of evaluation; always() is always true. */
export interface StatusView {
  success: boolean;
  failure: boolean;
  cancelled: boolean;
}

export interface ExpressionScope {
  contexts: Readonly<Record<string, unknown>>;
  status: StatusView;
  /** Implementation of hashFiles(); without it a workflow calling hashFiles() fails loudly. */
  hashFiles?: (patterns: string[]) => string;
}

/** The workflow text holds an expression GitHub would reject when loading the file. */
export class ExpressionSyntaxError extends Error {
  constructor(expression: string, cause: unknown) {
    super(`invalid expression \${{ ${expression} }}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = "ExpressionSyntaxError";
  }
}

/** A valid expression failed at run time (e.g. fromJSON of bad text): GitHub fails the step. */
export class ExpressionRuntimeError extends Error {
  constructor(expression: string, cause: unknown) {
    super(`error evaluating \${{ ${expression.trim()} }}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = "ExpressionRuntimeError";
  }
}

export type TemplatePart = { kind: "text"; value: string } | { kind: "expr"; value: string };

const STATUS_FUNCTIONS = ["success", "failure", "cancelled", "always"] as const;

const EXTENSION_FUNCTIONS: FunctionInfo[] = [
  ...STATUS_FUNCTIONS.map((name) => ({ name, minArgs: 0, maxArgs: 0 })),
  { name: "hashFiles", minArgs: 1, maxArgs: 255 },
];

/** Converts plain JSON-like data into the evaluator's data model. */
export function toExpressionData(value: unknown): data.ExpressionData {
  if (value === null || value === undefined) return new data.Null();
  if (typeof value === "string") return new data.StringData(value);
  if (typeof value === "number") return new data.NumberData(value);
  if (typeof value === "boolean") return new data.BooleanData(value);
  if (Array.isArray(value)) return new data.Array(...value.map(toExpressionData));
  if (typeof value === "object") {
    return new data.Dictionary(
      ...Object.entries(value as Record<string, unknown>).map(([key, v]) => ({ key, value: toExpressionData(v) })),
    );
  }
  throw new TypeError(`cannot use a ${typeof value} in an expression context`);
}

/**
 * Splits text into literal parts and `${{ … }}` bodies. A `}}` inside a single-quoted string
 * literal does not close the expression (`''` is the escaped quote), as in GitHub's parser.
 */
export function splitTemplate(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let pos = 0;
  while (pos < text.length) {
    const start = text.indexOf("${{", pos);
    if (start < 0) {
      parts.push({ kind: "text", value: text.slice(pos) });
      break;
    }
    if (start > pos) parts.push({ kind: "text", value: text.slice(pos, start) });
    const end = findExpressionEnd(text, start + 3);
    if (end < 0) throw new ExpressionSyntaxError(text.slice(start + 3), "missing closing }}");
    parts.push({ kind: "expr", value: text.slice(start + 3, end) });
    pos = end + 2;
  }
  return parts;
}

function findExpressionEnd(text: string, from: number): number {
  let inString = false;
  for (let i = from; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === "'") {
        if (text[i + 1] === "'") i++;
        else inString = false;
      }
    } else if (ch === "'") {
      inString = true;
    } else if (ch === "}" && text[i + 1] === "}") {
      return i;
    }
  }
  return -1;
}

function parseExpression(expression: string, scope: ExpressionScope): Expr {
  const contextNames = [...new Set([...CONTEXT_NAMES, ...Object.keys(scope.contexts)])];
  try {
    const { tokens } = new Lexer(expression).lex();
    return new Parser(tokens, contextNames, EXTENSION_FUNCTIONS).parse();
  } catch (error) {
    throw new ExpressionSyntaxError(expression.trim(), error);
  }
}

function functionImplementations(scope: ExpressionScope): Map<string, FunctionDefinition> {
  const constant = (name: string, value: boolean): FunctionDefinition => ({
    name,
    minArgs: 0,
    maxArgs: 0,
    call: () => new data.BooleanData(value),
  });
  return new Map<string, FunctionDefinition>([
    ["success", constant("success", scope.status.success)],
    ["failure", constant("failure", scope.status.failure)],
    ["cancelled", constant("cancelled", scope.status.cancelled)],
    ["always", constant("always", true)],
    [
      "hashfiles",
      {
        name: "hashFiles",
        minArgs: 1,
        maxArgs: 255,
        call: (...args: data.ExpressionData[]) => {
          if (!scope.hashFiles) throw new Error("hashFiles() is not available here");
          return new data.StringData(scope.hashFiles(args.map((a) => a.coerceString())));
        },
      },
    ],
  ]);
}

function contextDictionary(scope: ExpressionScope): data.Dictionary {
  const dictionary = new data.Dictionary();
  for (const name of CONTEXT_NAMES) dictionary.add(name, toExpressionData(scope.contexts[name] ?? {}));
  for (const [name, value] of Object.entries(scope.contexts)) dictionary.add(name, toExpressionData(value));
  return dictionary;
}

/** Evaluates the body of one `${{ … }}` (without the braces). */
export function evaluateExpression(expression: string, scope: ExpressionScope): data.ExpressionData {
  const ast = parseExpression(expression, scope);
  try {
    return new Evaluator(ast, contextDictionary(scope), functionImplementations(scope)).evaluate();
  } catch (error) {
    throw new ExpressionRuntimeError(expression, error);
  }
}

/** GitHub's conversion of an expression result embedded in a string: null becomes "". */
export function resultToString(result: data.ExpressionData): string {
  return result.coerceString();
}

/** Substitutes every `${{ … }}` in text, as GitHub does for `run:`, `env:` and `with:` values. */
export function interpolate(text: string, scope: ExpressionScope): string {
  return splitTemplate(text)
    .map((part) => (part.kind === "text" ? part.value : resultToString(evaluateExpression(part.value, scope))))
    .join("");
}

/**
 * Like interpolate, but a value that is exactly one `${{ … }}` keeps its type, so
 * `continue-on-error: ${{ matrix.experimental }}` yields a boolean rather than the string "false".
 */
export function evaluateValue(text: string, scope: ExpressionScope): data.ExpressionData {
  const parts = splitTemplate(text.trim());
  const only = parts[0];
  if (parts.length === 1 && only?.kind === "expr") return evaluateExpression(only.value, scope);
  return new data.StringData(interpolate(text, scope));
}

/** True when the value is truthy in the expression language ("" / false / 0 / null are falsy). */
export function isTruthy(value: data.ExpressionData): boolean {
  return truthy(value);
}

function callsStatusFunction(expression: string): boolean {
  const { tokens } = new Lexer(expression).lex();
  return tokens.some(
    (token, i) =>
      token.type === TokenType.IDENTIFIER &&
      (STATUS_FUNCTIONS as readonly string[]).includes(token.lexeme.toLowerCase()) &&
      tokens[i + 1]?.type === TokenType.LEFT_PAREN,
  );
}

/**
 * Evaluates an `if:` condition. The `${{ }}` wrapper is optional; a condition that calls no status
 * function is implicitly `success() && (…)`, which is why a plain `if:` never runs after a failure.
 */
export function evaluateCondition(condition: string | undefined, scope: ExpressionScope): boolean {
  const text = condition?.trim() ?? "";
  if (text === "") return scope.status.success;
  const parts = splitTemplate(text);
  const only = parts[0];
  let expression: string;
  if (parts.length === 1 && only?.kind === "expr") {
    expression = only.value;
  } else if (parts.some((part) => part.kind === "expr")) {
    // Text around `${{ }}` makes the whole condition a non-empty string: truthy, a known GitHub gotcha.
    return scope.status.success && interpolate(text, scope) !== "";
  } else {
    expression = text;
  }
  const effective = callsStatusFunction(expression) ? expression : `success() && (${expression})`;
  return isTruthy(evaluateExpression(effective, scope));
}

/**
 * Edits of a JSON file's text that keep everything else byte for byte (indentation, key order,
 * line endings, a final newline): `init` adds a script or a hook to a team's package.json, and a
 * reformatted package.json would be a diff nobody asked for. A tiny position-recording parser
 * finds where a member's value is; edits splice text there.
 */

export interface Span {
  start: number;
  end: number;
}

interface ObjectNode {
  span: Span;
  members: { key: string; keySpan: Span; value: Node }[];
}
type Node = { kind: "object"; object: ObjectNode; span: Span } | { kind: "other"; span: Span; value: unknown };

/** Parses `text` (already known to be valid JSON) keeping each value's position. */
function parseWithSpans(text: string): Node {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const str = (): string => {
    const start = i;
    i++;
    while (text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (): Node => {
    ws();
    const start = i;
    if (text[i] === "{") {
      i++;
      const members: ObjectNode["members"] = [];
      ws();
      while (text[i] !== "}") {
        ws();
        const keyStart = i;
        const key = str();
        const keySpan = { start: keyStart, end: i };
        ws();
        i++; // :
        const v = value();
        members.push({ key, keySpan, value: v });
        ws();
        if (text[i] === ",") i++;
        ws();
      }
      i++;
      const span = { start, end: i };
      return { kind: "object", object: { span, members }, span };
    }
    if (text[i] === "[") {
      let depth = 0;
      do {
        if (text[i] === '"') {
          str();
          continue;
        }
        if (text[i] === "[" || text[i] === "{") depth++;
        if (text[i] === "]" || text[i] === "}") depth--;
        i++;
      } while (depth > 0);
    } else if (text[i] === '"') str();
    else while (i < text.length && !/[\s,}\]]/.test(text[i]!)) i++;
    return { kind: "other", span: { start, end: i }, value: JSON.parse(text.slice(start, i)) };
  };
  return value();
}

/** The object at `path` (keys from the top), or undefined. */
function objectAt(root: Node, path: readonly string[]): ObjectNode | undefined {
  let node: Node | undefined = root;
  for (const key of path) {
    if (node?.kind !== "object") return undefined;
    node = node.object.members.find((m) => m.key === key)?.value;
  }
  return node?.kind === "object" ? node.object : undefined;
}

function lineIndentAt(text: string, pos: number): string {
  const lineStart = text.lastIndexOf("\n", pos - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}

/** The file's indentation unit, read from its first indented line; two spaces when flat. */
function indentUnit(text: string): string {
  return /\n([ \t]+)\S/.exec(text)?.[1] ?? "  ";
}

export type JsonEdit = { text: string } | { unchanged: string } | { error: string };

/**
 * Adds `"key": <valueJson>` as the last member of the object at `path`, creating the objects on
 * the way (each as the last member of its parent). Unchanged when the key is already there.
 */
export function addMember(text: string, path: readonly string[], key: string, value: unknown): JsonEdit {
  try {
    JSON.parse(text);
  } catch (e) {
    return { error: `it is not valid JSON (${(e as Error).message})` };
  }
  const root = parseWithSpans(text);
  if (root.kind !== "object") return { error: "its top level is not an object" };
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const unit = indentUnit(text);
  // The deepest existing object on the path, and what is still missing below it.
  let depth = 0;
  let parent = root.object;
  for (; depth < path.length; depth++) {
    const member = parent.members.find((m) => m.key === path[depth]);
    if (!member) break;
    if (member.value.kind !== "object") return { error: `"${path.slice(0, depth + 1).join(".")}" is not an object` };
    parent = member.value.object;
  }
  if (depth === path.length && parent.members.some((m) => m.key === key)) return { unchanged: `"${[...path, key].join(".")}" is already set` };
  const parentIndent = parent === root.object ? "" : lineIndentAt(text, parent.span.start);
  const memberIndent = parent.members[0] ? lineIndentAt(text, parent.members[0].keySpan.start) : parentIndent + unit;
  // Nested members to create: {"a": {"b": value}} written out with the file's indentation.
  const missing = [...path.slice(depth), key];
  const render = (level: number, keys: string[]): string => {
    const [head, ...rest] = keys;
    const indent = memberIndent + unit.repeat(level);
    if (rest.length === 0) return `${indent}${JSON.stringify(head)}: ${JSON.stringify(value)}`;
    return `${indent}${JSON.stringify(head)}: {${eol}${render(level + 1, rest)}${eol}${indent}}`;
  };
  const entry = render(0, missing);
  const last = parent.members.at(-1);
  if (!last) {
    const closing = parent.span.end - 1;
    return { text: `${text.slice(0, parent.span.start)}{${eol}${entry}${eol}${parentIndent}}${text.slice(closing + 1)}` };
  }
  return { text: `${text.slice(0, last.value.span.end)},${eol}${entry}${text.slice(last.value.span.end)}` };
}

/** The string value at `path`, or undefined. */
export function stringAt(text: string, path: readonly string[]): string | undefined {
  try {
    let v: unknown = JSON.parse(text);
    for (const key of path) v = v && typeof v === "object" && Object.hasOwn(v, key) ? (v as Record<string, unknown>)[key] : undefined;
    return typeof v === "string" ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Replaces the string value at `path` (which must exist) with `value`. */
export function replaceString(text: string, path: readonly string[], value: string): JsonEdit {
  const root = parseWithSpans(text);
  const owner = objectAt(root, path.slice(0, -1));
  const member = owner?.members.find((m) => m.key === path.at(-1));
  if (!member || member.value.kind !== "other" || typeof member.value.value !== "string") return { error: `"${path.join(".")}" is not a string` };
  return { text: text.slice(0, member.value.span.start) + JSON.stringify(value) + text.slice(member.value.span.end) };
}

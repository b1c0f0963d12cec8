// @ts-check
/**
 * The subset of kubectl's JSONPath output that verify steps use: `{.data}`, `{.data.key}`,
 * `{.data.key\.with\.dots}`, `{.data['key']}`, `{.items[0].metadata.name}`, with text around
 * the braces. Anything else (range, filters, wildcards) is refused loudly rather than guessed.
 */

/**
 * @param {string} path e.g. ".data.tls\\.crt" or ".items[0].metadata.name"
 * @returns {Array<string | number> | undefined}
 */
function segments(path) {
  /** @type {Array<string | number>} */
  const out = [];
  let i = path.startsWith("$") ? 1 : 0;
  while (i < path.length) {
    const ch = path[i];
    if (ch === ".") {
      let name = "";
      i++;
      while (i < path.length && path[i] !== "." && path[i] !== "[") {
        if (path[i] === "\\" && i + 1 < path.length) i++;
        name += path[i];
        i++;
      }
      if (name === "" || name === "*") return undefined;
      out.push(name);
    } else if (ch === "[") {
      const end = path.indexOf("]", i);
      if (end < 0) return undefined;
      const inner = path.slice(i + 1, end).trim();
      const quoted = /^(['"])(.*)\1$/.exec(inner);
      if (quoted) out.push(quoted[2] ?? "");
      else if (/^\d+$/.test(inner)) out.push(Number(inner));
      else return undefined;
      i = end + 1;
    } else {
      return undefined;
    }
  }
  return out;
}

/** @param {unknown} value */
function format(value) {
  if (value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || value === null) return String(value);
  return JSON.stringify(value);
}

/**
 * @param {string} template
 * @param {unknown} root
 * @returns {{ text: string } | { error: string }}
 */
export function renderJsonPath(template, root) {
  let text = "";
  let last = 0;
  for (const match of template.matchAll(/\{([^{}]*)\}/g)) {
    text += template.slice(last, match.index);
    last = (match.index ?? 0) + match[0].length;
    const path = (match[1] ?? "").trim();
    const parts = path === "" || path === "." || path === "$" ? [] : segments(path);
    if (!parts) return { error: `error: harness: the fake kubectl does not support the JSONPath expression {${path}}` };
    /** @type {unknown} */
    let current = root;
    for (const part of parts) {
      if (current === null || typeof current !== "object") {
        current = undefined;
        break;
      }
      current = /** @type {Record<string | number, unknown>} */ (current)[part];
    }
    text += format(current);
  }
  return { text: text + template.slice(last) };
}

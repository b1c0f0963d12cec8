/**
 * Lines in the registry's TypeScript source, found by tokens rather than a TypeScript parser (the
 * generate path must stay light): each token, a quoted string or an object key, is searched after
 * the previous one. Good enough to point an annotation at the right entry; undefined when lost.
 */
import type { Diagnostic } from "../diagnostics.ts";

export const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
const escape = escapeRegExp;

/** Finds each token in turn (as a quoted string or an object key) after the previous one. */
export function lineOfTokens(text: string, tokens: readonly (string | RegExp)[], start = 0): number | undefined {
  let from = start;
  let at = -1;
  for (const token of tokens) {
    const re = typeof token === "string" ? new RegExp(`(["'\`])${escape(token)}\\1|(?<![\\w$-])${escape(token)}(?=\\s*:)`, "g") : token;
    re.lastIndex = from;
    const m = re.exec(text);
    if (!m) return at === -1 ? undefined : lineAtOffset(text, at);
    at = m.index;
    from = m.index + m[0].length;
  }
  return at === -1 ? undefined : lineAtOffset(text, at);
}

function lineAtOffset(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * Adds a line to registry diagnostics that have a registry path but none. `services[4].x.y` is
 * looked up inside that service's entry: from its `name: "<name>"` (the n-th one when names
 * repeat) up to the next service's, falling back to the name's line when the key is absent
 * there; other paths are searched key by key from the top, numeric indices skipped. Only run when
 * there are diagnostics to show.
 */
export function locateInRegistry(diagnostics: readonly Diagnostic[], file: string, text: string, registry: unknown): Diagnostic[] {
  const services = serviceNames(registry);
  return diagnostics.map((d) => {
    if (d.file !== file || d.line !== undefined || !d.path) return d;
    const segments = [...d.path.matchAll(/([A-Za-z_$][\w$-]*)|\[(\d+)\]|\["([^"]+)"\]/g)].map(([, key, index, quoted]) => ({ key: key ?? quoted, index }));
    const line = segments[0]?.key === "services" && segments[1]?.index !== undefined ? serviceLine(text, services, Number(segments[1].index), segments.slice(2)) : keysLine(text, segments);
    return line === undefined ? d : { ...d, line };
  });
}

/**
 * The registry's service names, for finding each entry. The value is the user's: `services` may
 * be a string, or a getter that throws; any doubt means no names, never an exception.
 */
function serviceNames(registry: unknown): (string | undefined)[] {
  try {
    const services = (registry as { services?: unknown } | null | undefined)?.services;
    if (!Array.isArray(services)) return [];
    return services.map((s: unknown) => {
      const name = (s as { name?: unknown } | null | undefined)?.name;
      return typeof name === "string" ? name : undefined;
    });
  } catch {
    return [];
  }
}

type Segment = { key: string | undefined; index: string | undefined };

function keysLine(text: string, segments: readonly Segment[]): number | undefined {
  const tokens = segments.flatMap((s) => (s.key ? [s.key] : []));
  return tokens.length ? lineOfTokens(text, tokens) : undefined;
}

/** Offset of the n-th `name: "<name>"` in the text, n counting earlier services of that name. */
function serviceOffset(text: string, services: readonly (string | undefined)[], index: number): number | undefined {
  const name = services[index];
  if (name === undefined) return undefined;
  const nth = services.slice(0, index).filter((n) => n === name).length;
  const re = new RegExp(`name\\s*:\\s*(["'\`])${escape(name)}\\1`, "g");
  let m: RegExpExecArray | null = null;
  for (let i = 0; i <= nth; i++) if (!(m = re.exec(text))) return undefined;
  return m!.index;
}

function serviceLine(text: string, services: readonly (string | undefined)[], index: number, rest: readonly Segment[]): number | undefined {
  const start = serviceOffset(text, services, index);
  if (start === undefined) return undefined;
  let next: number | undefined;
  for (let k = index + 1; k < services.length && next === undefined; k++) {
    const o = serviceOffset(text, services, k);
    if (o !== undefined && o > start) next = o;
  }
  const own = text.slice(0, next ?? text.length);
  const keys = rest.flatMap((s) => (s.key && s.key !== "name" ? [s.key] : []));
  // The entry's own lines only: a key it does not have must not be found in the next service.
  const found = keys.length ? lineOfTokens(own, keys, start) : undefined;
  return found ?? lineAtOffset(text, start);
}

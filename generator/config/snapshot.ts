/**
 * The registry's default export -> a copy that is plain data, read exactly once. The export is
 * whatever the user's TypeScript built: a getter may throw (even `throw null`), a proxy may be
 * revoked, an object may contain itself. Reading it here, every read guarded, makes each of those
 * a diagnostic at its registry path; the schema and everything after it see only plain objects,
 * arrays and primitives, and never run the user's code again.
 *
 * Keys are copied as own properties; a `__proto__` key is refused here (the schema would drop it
 * silently, and a lookup would find the prototype instead). Symbol keys are not data and are left out. Primitives
 * of any type (BigInt, Symbol) and functions are kept as they are, for the schema to name.
 */
import { describeThrown } from "../describe.ts";
import { type Diagnostic, error, formatPath } from "../diagnostics.ts";

/** Deeper than any registry is meant to be; a deeper value is almost surely self-built recursion. */
const MAX_DEPTH = 32;

export function snapshotRegistry(value: unknown, file: string): { data?: unknown; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const ancestors = new Set<object>();
  const fail = (path: PropertyKey[], message: string, fix: string): undefined => {
    diagnostics.push(error("CONFIG_VALUE_UNREADABLE", message, { file, path: formatPath(path) || "(root)", fix }));
    return undefined;
  };
  const copy = (v: unknown, path: PropertyKey[]): unknown => {
    if (v === null || (typeof v !== "object" && typeof v !== "function")) return v;
    if (typeof v === "function") return v;
    if (ancestors.has(v)) return fail(path, "contains itself (a cycle)", "make the registry a tree of plain values: no object may contain itself");
    if (path.length > MAX_DEPTH) return fail(path, `is nested more than ${MAX_DEPTH} levels deep`, "make the registry plain data, as in services.config.ts");
    let isArray: boolean;
    try {
      isArray = Array.isArray(v);
    } catch (e) {
      return fail(path, `cannot be read: ${describeThrown(e)}`, "make the value plain data (a revoked proxy cannot be read)");
    }
    ancestors.add(v);
    try {
      if (isArray) return copyArray(v as unknown[], path);
      return copyObject(v, path);
    } finally {
      ancestors.delete(v);
    }
  };
  const read = (v: object, key: string | number, path: PropertyKey[]): { ok: true; value: unknown } | { ok: false } => {
    try {
      return { ok: true, value: (v as Record<string | number, unknown>)[key] };
    } catch (e) {
      fail([...path, key], `reading it threw: ${describeThrown(e)}`, "make the value plain data: a getter or proxy in the registry must not throw");
      return { ok: false };
    }
  };
  const copyArray = (v: unknown[], path: PropertyKey[]): unknown => {
    const length = read(v, "length", path);
    if (!length.ok) return undefined;
    const out: unknown[] = [];
    const n = typeof length.value === "number" ? length.value : 0;
    for (let i = 0; i < n; i++) {
      const item = read(v, i, path);
      out.push(item.ok ? copy(item.value, [...path, i]) : undefined);
    }
    return out;
  };
  const copyObject = (v: object, path: PropertyKey[]): unknown => {
    let keys: string[];
    try {
      keys = Object.keys(v);
    } catch (e) {
      return fail(path, `its keys cannot be read: ${describeThrown(e)}`, "make the value plain data: a proxy in the registry must not throw");
    }
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      if (key === "__proto__") {
        // zod skips this key without a word (it would set the prototype), so it is refused here.
        diagnostics.push(
          error("CONFIG_RESERVED_NAME", '"__proto__" is a name every JavaScript object already has, so it cannot name anything in the registry', {
            file,
            path: formatPath([...path, key]),
            fix: "choose another name (a Kubernetes or environment name of your own)",
          }),
        );
        continue;
      }
      const item = read(v, key, path);
      if (!item.ok) continue;
      Object.defineProperty(out, key, { value: copy(item.value, [...path, key]), enumerable: true, writable: true, configurable: true });
    }
    return out;
  };
  const data = copy(value, []);
  return diagnostics.length ? { diagnostics } : { data, diagnostics };
}

/**
 * Any JavaScript value -> a short, printable description that never throws. Messages quote
 * user values (a registry value, a thrown value), and those values may be anything: a 10 MB
 * string, a BigInt, a Symbol, a function, a revoked proxy, an object whose getters throw. A
 * message that crashes while being built turns a user's mistake into a tool crash, so every
 * step here is guarded and the result is bounded.
 */

/** Longest quoted text in a message; a longer value is cut and its length said. */
export const MAX_QUOTED = 120;

/** `text` cut to `max` characters, saying how long it was. */
export function truncate(text: string, max = MAX_QUOTED): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}

/** A value as a message shows it: `"abc"`, `120n (a BigInt)`, `a function`, `an object`… */
export function describeValue(value: unknown): string {
  try {
    switch (typeof value) {
      case "undefined":
        return "nothing";
      case "string":
        return JSON.stringify(truncate(value));
      case "number":
      case "boolean":
        return String(value);
      case "bigint":
        return `${truncate(value.toString())}n (a BigInt)`;
      case "symbol":
        return `a Symbol${value.description !== undefined ? ` (${JSON.stringify(truncate(value.description, 40))})` : ""}`;
      case "function":
        return "a function";
      default:
        if (value === null) return "null";
        return Array.isArray(value) ? "an array" : "an object";
    }
  } catch {
    // Array.isArray throws on a revoked proxy.
    return "an unreadable object (a revoked proxy?)";
  }
}

/**
 * What was thrown, for a message: an Error's `Name: message`, a thrown string as itself, any
 * other value described. `withStack` adds the stack (for "this is a bug" reports).
 */
export function describeThrown(thrown: unknown, withStack = false): string {
  try {
    if (thrown instanceof Error) {
      const stack = withStack ? safeString(() => thrown.stack) : undefined;
      if (stack) return truncate(stack, 20_000);
      const name = safeString(() => thrown.name) ?? "Error";
      const message = safeString(() => thrown.message);
      return message ? `${name}: ${truncate(message, 2_000)}` : name;
    }
    if (typeof thrown === "string") return truncate(thrown, 2_000);
    return `${describeValue(thrown)} was thrown`;
  } catch {
    return "an unprintable value was thrown";
  }
}

function safeString(read: () => unknown): string | undefined {
  try {
    const v = read();
    return typeof v === "string" ? v : undefined;
  } catch {
    return undefined;
  }
}

/** The errno code of a Node.js system error (`EACCES`, `EIO`, `EISDIR`…), undefined otherwise. */
export function systemErrorCode(thrown: unknown): string | undefined {
  try {
    if (!(thrown instanceof Error)) return undefined;
    const code = (thrown as NodeJS.ErrnoException).code;
    return typeof code === "string" && /^E[A-Z0-9]+$/.test(code) ? code : undefined;
  } catch {
    return undefined;
  }
}

/** The path a Node.js system error names, when it names one. */
export function systemErrorPath(thrown: unknown): string | undefined {
  try {
    const path = (thrown as NodeJS.ErrnoException).path;
    return typeof path === "string" ? path : undefined;
  } catch {
    return undefined;
  }
}

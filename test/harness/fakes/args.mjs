// @ts-check
/**
 * Command-line flag parsing shared by the fake tools. Deliberately close to how the real CLIs
 * (cobra for kubectl/docker, argparse for az) read flags: `--flag=value`, `--flag value`,
 * `-n value`, `-nvalue`. A value flag followed by another flag gets no value (`true`), which is
 * what a missing secret produces in `--name ${{ secrets.X }}`; the tools then fail like the real ones.
 */

/** @typedef {{ positional: string[], flags: Array<[string, string | true]> }} ParsedArgs */

/**
 * @param {readonly string[]} args
 * @param {ReadonlySet<string>} valueFlags flags that consume the next argument when not written with "="
 * @returns {ParsedArgs}
 */
export function parseArgs(args, valueFlags) {
  /** @type {string[]} */
  const positional = [];
  /** @type {Array<[string, string | true]>} */
  const flags = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    const next = args[i + 1];
    const nextIsValue = next !== undefined && (next === "-" || !next.startsWith("-"));
    if (arg === "--") {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      if (eq >= 0) flags.push([arg.slice(0, eq), arg.slice(eq + 1)]);
      else if (valueFlags.has(arg) && nextIsValue) {
        flags.push([arg, next ?? ""]);
        i++;
      } else flags.push([arg, true]);
    } else if (arg.startsWith("-") && arg.length > 1) {
      const name = arg.slice(0, 2);
      const attached = arg.slice(2);
      if (!valueFlags.has(name)) flags.push([arg, true]);
      else if (attached !== "") flags.push([name, attached.startsWith("=") ? attached.slice(1) : attached]);
      else if (nextIsValue) {
        flags.push([name, next ?? ""]);
        i++;
      } else flags.push([name, true]);
    } else {
      positional.push(arg);
    }
  }
  return { positional, flags };
}

/**
 * All string values given for any of the names, in order.
 * @param {ParsedArgs} parsed
 * @param {...string} names
 * @returns {string[]}
 */
export function flagValues(parsed, ...names) {
  return parsed.flags.filter(([n, v]) => names.includes(n) && typeof v === "string").map(([, v]) => String(v));
}

/**
 * The last value given for any of the names (the CLIs let a later flag win).
 * @param {ParsedArgs} parsed
 * @param {...string} names
 * @returns {string | undefined}
 */
export function flagValue(parsed, ...names) {
  return flagValues(parsed, ...names).at(-1);
}

/**
 * True when any of the names is present, with or without a value.
 * @param {ParsedArgs} parsed
 * @param {...string} names
 */
export function hasFlag(parsed, ...names) {
  return parsed.flags.some(([n]) => names.includes(n));
}

/**
 * True when a value flag is present but its value is missing (e.g. an empty secret before it).
 * @param {ParsedArgs} parsed
 * @param {...string} names
 */
export function flagMissingValue(parsed, ...names) {
  return parsed.flags.some(([n, v]) => names.includes(n) && v === true);
}

// @ts-check
/**
 * Stand-in for GNU gettext envsubst, installed only where the real one is missing. Same rules:
 * `$NAME` and `${NAME}` are replaced (unset means empty), nothing else (`${NAME:-x}` stays as is);
 * with a SHELL-FORMAT argument only the variables named in it are replaced; `-v` lists them.
 */
import { ok } from "./result.mjs";

const REFERENCE = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/** @param {string} format */
function namesIn(format) {
  return [...format.matchAll(REFERENCE)].map((m) => m[1] ?? m[2] ?? "");
}

/** @type {import("./result.mjs").ToolHandler} */
export function envsubst(args, io) {
  const listOnly = args[0] === "-v" || args[0] === "--variables";
  const format = listOnly ? args[1] : args.find((a) => !a.startsWith("-"));
  if (listOnly) return ok(namesIn(format ?? "").map((n) => `${n}\n`).join(""));
  const allowed = format === undefined ? undefined : new Set(namesIn(format));
  const text = (io.stdin ?? "").replace(REFERENCE, (whole, braced, bare) => {
    const name = braced ?? bare;
    if (allowed && !allowed.has(name)) return whole;
    return io.env[name] ?? "";
  });
  return ok(text);
}

/**
 * Drift in registry terms: compares the parsed committed workflow with the generated one and
 * names what differs as services, secrets and steps. (First version: build matrix and order.)
 */
import { parse } from "yaml";
import type { Drift } from "./check.ts";

export function describeDrift(drift: Drift): string[] {
  if (drift.actual === undefined || drift.expected === undefined) return [];
  let actual: unknown;
  try {
    actual = parse(drift.actual);
  } catch (e) {
    const pos = (e as { linePos?: { line: number; col: number }[] }).linePos?.[0];
    return [`${drift.path}: no longer parses as YAML${pos ? ` at ${pos.line}:${pos.col}` : ""}: ${(e as Error).message.split("\n")[0]}`];
  }
  const expected = parse(drift.expected) as unknown;
  const names = (w: unknown): string[] => {
    const matrix = (w as { jobs?: { build?: { strategy?: { matrix?: { service?: { name?: string }[] } } } } })?.jobs?.build?.strategy?.matrix?.service;
    return Array.isArray(matrix) ? matrix.map((e) => String(e?.name)) : [];
  };
  const have = new Set(names(actual));
  const want = names(expected);
  const out: string[] = [];
  for (const n of want) if (!have.has(n)) out.push(`${drift.path}: build matrix lacks "${n}"`);
  for (const n of have) if (!want.includes(n)) out.push(`${drift.path}: build matrix has "${n}", which the registry does not build here`);
  return out;
}

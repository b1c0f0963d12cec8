/** Dependency graphs the import builds (service -> the services it waits for). */

/** Whether `to` is reachable from `from` along `deps` (iterative: imported graphs can be thousands deep). */
export function reaches(deps: ReadonlyMap<string, readonly string[]>, from: string, to: string): boolean {
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length) {
    const x = stack.pop()!;
    if (x === to) return true;
    if (seen.has(x)) continue;
    seen.add(x);
    for (const d of deps.get(x) ?? []) stack.push(d);
  }
  return false;
}

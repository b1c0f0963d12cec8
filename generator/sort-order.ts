/**
 * The string orders for everything the tool generates or reports. Not `localeCompare`: its order
 * depends on the machine's ICU data and locale (the same input must give byte-identical output on
 * every machine and Node version), and its first call costs ~10 ms to load the collator, on a
 * check that runs in every pre-commit hook.
 */

/** By UTF-16 code unit, as `<` compares: `API_URL` < `API_url` < `api-gateway` < `api_gateway`. */
export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Runs of digits compare as numbers, the rest by code unit: `services[2]` < `services[10]`. */
export function byNaturalOrder(a: string, b: string): number {
  const chunks = /(\d+|\D+)/g;
  const as = a.match(chunks) ?? [];
  const bs = b.match(chunks) ?? [];
  for (let i = 0; i < Math.min(as.length, bs.length); i++) {
    const x = as[i]!;
    const y = bs[i]!;
    if (x === y) continue;
    const numeric = /^\d/.test(x) && /^\d/.test(y);
    // Equal numbers with different zeros ("07" vs "7") still need an order: then by text.
    const byNumber = numeric ? Number(x) - Number(y) : 0;
    return byNumber !== 0 ? Math.sign(byNumber) : byCodeUnit(x, y);
  }
  return as.length - bs.length;
}

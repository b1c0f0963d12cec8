/**
 * Per-environment domains, inferred from build arguments: a URL whose host differs between the
 * environments (api.splits.network vs api.staging.splits.network) names one domain, keyed by its
 * production host's first label. Values then refer to `{domains.<key>}` instead of repeating hosts.
 */
import { byCodeUnit } from "../sort-order.ts";

const URL_HOST = /https?:\/\/([a-z0-9.-]+)/gi;

export function hostsIn(text: string): string[] {
  return [...text.matchAll(URL_HOST)].map((m) => m[1]!.toLowerCase());
}

/** Pairs of values (one per environment) for the same build argument of the same service. */
export interface ValuePair {
  byEnv: Record<string, string>;
}

export interface Domains {
  /** env -> key -> host */
  byEnv: Record<string, Record<string, string>>;
}

/**
 * Every host that appears at the same position of a value in each environment, with a different
 * host in at least one, becomes a domain; a host paired inconsistently (with two different hosts
 * of another environment) does not.
 */
export function inferDomains(envs: readonly string[], pairs: readonly ValuePair[]): Domains {
  const [first] = envs;
  const tuples = new Map<string, string[] | null>(); // first-env host -> hosts per env (null: inconsistent)
  for (const p of pairs) {
    if (!envs.every((e) => p.byEnv[e] !== undefined)) continue;
    const hosts = envs.map((e) => hostsIn(p.byEnv[e]!));
    if (!hosts.every((h) => h.length === hosts[0]!.length)) continue;
    hosts[0]!.forEach((h, i) => {
      const tuple = hosts.map((hs) => hs[i]!);
      if (tuple.every((t) => t === h)) return;
      const known = tuples.get(h);
      if (known === undefined) tuples.set(h, tuple);
      else if (known && known.join() !== tuple.join()) tuples.set(h, null);
    });
  }
  const byEnv: Record<string, Record<string, string>> = Object.fromEntries(envs.map((e) => [e, {}]));
  const used = new Set<string>();
  for (const [host, tuple] of [...tuples.entries()].sort(([a], [b]) => byCodeUnit(a, b))) {
    if (!tuple) continue;
    const key = domainKey(host, used);
    used.add(key);
    envs.forEach((e, i) => (byEnv[e]![key] = tuple[i]!));
  }
  void first;
  return { byEnv };
}

/** `api.splits.network` -> `api`; `splits.network` -> `splits`; on a clash, more labels join. */
function domainKey(host: string, used: ReadonlySet<string>): string {
  const labels = host.split(".").filter((l) => l !== "www");
  for (let n = 1; n <= labels.length; n++) {
    const key = labels.slice(0, n).join("-").replace(/[^A-Za-z0-9_-]/g, "-");
    if (/^[A-Za-z]/.test(key) && !used.has(key)) return key;
  }
  let i = 2;
  while (used.has(`domain${i}`)) i++;
  return `domain${i}`;
}

/** Replaces every known host of the environment by its `{domains.<key>}` placeholder. */
export function withDomainPlaceholders(text: string, domains: Readonly<Record<string, string>>): string {
  const byHost = new Map(Object.entries(domains).map(([k, h]) => [h, k]));
  return text.replace(URL_HOST, (whole, host: string) => {
    const key = byHost.get(host.toLowerCase());
    return key ? whole.replace(host, `{domains.${key}}`) : whole;
  });
}

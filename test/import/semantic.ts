/**
 * What a deploy workflow does, independent of how it is written: the services it builds, each
 * one's build arguments, the secret keys it creates, the Sentry services, the manifests it
 * applies and the rollouts it awaits, and the order constraints between them. Used on the
 * hand-written originals and on the generated workflows alike, so a round trip can be compared.
 *
 * Scripts are run through the importer's bash subset (shell-script.ts, unit-tested on its own);
 * everything else here is independent of the importer's mapping code.
 */
import { parse } from "yaml";
import { execute, logicalLines, substituteExpressions } from "../../generator/import/shell-script.ts";
import type { DeployData } from "../../generator/runner/data.ts";

export interface Semantics {
  built: string[];
  /** service -> build arg -> value (`${{ secrets.X }}` for secrets, else the literal). */
  buildArgs: Record<string, Record<string, string>>;
  /** group -> sorted `key=SECRET`. */
  secretKeys: Record<string, string[]>;
  sentry: string[];
  /** Service folders, cronjob and job files applied (sorted). */
  applied: string[];
  /** Deployments whose rollout is awaited (sorted). */
  rollouts: string[];
  /** `a<b`: the rollout of a is awaited before b's manifests are applied. */
  order: string[];
}

type Json = Record<string, any>;

/**
 * `listDir` expands a folder apply (`…/cronjobs/`) into its files, as kubectl would. `data` is the
 * runner data file a generated workflow's runner steps read (`.github/deploy/<workflow>.jsonc`):
 * those steps do what it lists, and its scheduler awaits every dependency (transitively) before
 * applying a service.
 */
export function semanticsOf(text: string, listDir: (dir: string) => string[] = () => [], data?: DeployData): Semantics {
  const wf = parse(text) as Json;
  const jobs = Object.values((wf.jobs ?? {}) as Record<string, Json>);
  const entries = matrixEntries(wf, data);
  const sem: Semantics = { built: entries.map((e) => e.name).sort(), buildArgs: {}, secretKeys: {}, sentry: [], applied: [], rollouts: [], order: [] };
  const wfEnv = Object.fromEntries(Object.entries((wf.env ?? {}) as Json).map(([k, v]) => [`env.${k}`, String(v)]));
  const events: { kind: "apply" | "rollout"; name: string }[] = [];
  for (const job of jobs) {
    for (const step of (job.steps ?? []) as Json[]) {
      if (typeof step.uses === "string" && step.uses.startsWith("docker/build-push-action@")) {
        for (const e of entries) sem.buildArgs[e.name] = buildArgsOf(e, "", step);
        continue;
      }
      if (typeof step.run !== "string") continue;
      const run = substituteExpressions(step.run, wfEnv);
      if (/docker\s+build/.test(run)) {
        for (const e of entries) sem.buildArgs[e.name] = buildArgsOf(e, run, step);
        continue;
      }
      if (/sentry-cli/.test(run) && typeof step.if === "string" && /==/.test(step.if)) {
        sem.sentry = [...step.if.matchAll(/==\s*'([^']+)'/g)].map((m) => m[1]!).sort();
        continue;
      }
      for (const line of logicalLines(run, 1)) {
        const group = /kubectl create secret generic '?([\w.-]+)'?/.exec(line.text);
        if (!group) continue;
        const keys = [
          ...[...line.text.matchAll(/--from-literal=([^=\s]+)=\$\{\{\s*secrets\.(\w+)\s*\}\}/g)].map((m) => `${m[1]}=${m[2]}`),
          ...[...line.text.matchAll(/--from-file='?([^=' ]+)'?=<\(printf '%s' "\$(\w+)"\)/g)].map((m) => `${m[1]}=${(step.env?.[m[2]!] as string | undefined)?.match(/secrets\.(\w+)/)?.[1] ?? m[2]}`),
        ];
        sem.secretKeys[group[1]!] = [...new Set([...(sem.secretKeys[group[1]!] ?? []), ...keys])].sort();
      }
      for (const executed of execute(run, 1).commands) {
        // The generated phases run each rollout wait through `start <name> <command…>` (a bounded pool).
        const cmd = executed.words[0] === "start" ? { ...executed, words: executed.words.slice(2) } : executed;
        if (cmd.words[0] !== "kubectl") continue;
        if (cmd.words[1] === "apply") {
          for (let i = 0; i < cmd.words.length; i++) {
            if (cmd.words[i] !== "-f") continue;
            const path = cmd.words[i + 1]!;
            const files = /\/(cronjobs|jobs)\/$/.test(path) ? listDir(path).map((f) => `${path}${f}`) : [path];
            for (const f of files) {
              if (/\/(cronjobs|jobs)\//.test(f) || f.endsWith("/")) sem.applied.push(f);
              if (f.endsWith("/")) events.push({ kind: "apply", name: f.split("/").slice(-2)[0]! });
            }
          }
        } else if (cmd.words[1] === "rollout" && cmd.words[2] === "status") {
          const target = cmd.words.find((w) => w.startsWith("deployment/"));
          if (target && !/ingress-nginx|cert-manager/.test(cmd.words.join(" "))) {
            sem.rollouts.push(target.slice("deployment/".length));
            events.push({ kind: "rollout", name: target.slice("deployment/".length) });
          }
        }
      }
    }
    // The generated workflow records Sentry services in the matrix.
    if (entries.some((e) => "sentry" in e)) sem.sentry = entries.filter((e) => e.sentry === true).map((e) => e.name).sort();
  }
  const order = new Set<string>();
  if (data && /deploy\.mjs deploy /.test(text)) runnerSemantics(data, sem, order);
  sem.applied = [...new Set(sem.applied)].sort();
  sem.rollouts = [...new Set(sem.rollouts)].sort();
  const awaited = new Set<string>();
  for (const e of events) {
    if (e.kind === "rollout") awaited.add(e.name);
    else for (const a of awaited) if (a !== e.name) order.add(`${a}<${e.name}`);
  }
  sem.order = [...order].sort();
  return sem;
}

/** The runner's deploy: every unit's folder and cronjobs, its rollout, and `dep<unit` for each dependency, transitively. */
function runnerSemantics(data: DeployData, sem: Semantics, order: Set<string>): void {
  const byName = new Map(data.units.map((u) => [u.service, u]));
  const depsOf = (name: string, seen = new Set<string>()): Set<string> => {
    for (const d of byName.get(name)?.dependsOn ?? []) if (byName.has(d) && !seen.has(d)) depsOf(d, seen.add(d));
    return seen;
  };
  for (const u of data.units) {
    sem.applied.push(`${u.manifestsDir}/`, ...u.cronjobFiles);
    sem.rollouts.push(...u.deployments);
    for (const d of depsOf(u.service)) for (const waited of byName.get(d)!.deployments) order.add(`${waited}<${u.service}`);
  }
  sem.applied.push(...data.jobs.map((j) => j.file));
  for (const g of data.secretGroups) sem.secretKeys[g.name] = [...new Set([...(sem.secretKeys[g.name] ?? []), ...g.keys.map((k) => `${k.key}=${k.env}`)])].sort();
}

/** A literal matrix list, the runner data file's builds, or (generated) the entries embedded as JSON lines in a script. */
function matrixEntries(wf: Json, data?: DeployData): Json[] {
  if (data && data.builds.length && !Object.values((wf.jobs ?? {}) as Record<string, Json>).some((j) => Array.isArray(j.strategy?.matrix?.service))) return data.builds.map((b) => b.entry);
  for (const job of Object.values((wf.jobs ?? {}) as Record<string, Json>)) {
    const list = job.strategy?.matrix?.service;
    if (Array.isArray(list)) return list.map((x: unknown) => (typeof x === "string" ? { name: x } : (x as Json)));
  }
  const out: Json[] = [];
  for (const job of Object.values((wf.jobs ?? {}) as Record<string, Json>))
    for (const step of (job.steps ?? []) as Json[])
      for (const line of String(step.run ?? "").split("\n")) {
        const t = line.trim().replace(/,$/, "");
        if (!t.startsWith("{") || !t.includes('"entry"')) continue;
        const entry = (JSON.parse(t) as Json).entry as Json | undefined;
        if (entry?.name && !out.some((o) => o.name === entry.name)) out.push(entry);
      }
  return out;
}

function buildArgsOf(entry: Json, run: string, step: Json): Record<string, string> {
  const args: Record<string, string> = {};
  if (typeof entry["build-args"] === "string") {
    // generated: non-secret args in the matrix, secret ones in the step env, per service
    for (const line of (entry["build-args"] as string).split("\n").filter(Boolean)) {
      const eq = line.indexOf("=");
      args[line.slice(0, eq)] = line.slice(eq + 1);
    }
    for (const name of String(entry["secret-build-args"] ?? "").split(" ").filter(Boolean)) {
      const expr = String(step.env?.[name] ?? "");
      const arm = new RegExp(`matrix\\.service\\.name == '${entry.name}' && secrets\\.(\\w+)`).exec(expr);
      args[name] = arm ? `\${{ secrets.${arm[1]} }}` : "(missing)";
    }
    // Build secrets reach BuildKit as secret-envs (ID=ENV_VAR); the hand-written form passed them
    // as build arguments, so they compare as the same value reaching the build.
    for (const line of String(entry["secret-envs"] ?? "").split("\n").filter(Boolean)) {
      const [id, envName] = line.split("=") as [string, string];
      const arm = new RegExp(`matrix\\.service\\.name == '${entry.name}' && secrets\\.(\\w+)`).exec(String(step.env?.[envName] ?? ""));
      args[id] = arm ? `\${{ secrets.${arm[1]} }}` : "(missing)";
    }
    return args;
  }
  // hand-written: the script's if/elif chain, run for this service
  const matrix = { "matrix.service.name": entry.name, "matrix.service.path": entry.path ?? "", "matrix.service": entry.name };
  const text = substituteExpressions(run, matrix);
  // The step's env (e.g. SERVICE: ${{ matrix.service }}) as shell variables, as the runner sets them.
  const seed = Object.fromEntries(Object.entries((step.env ?? {}) as Record<string, unknown>).map(([k, v]) => [k, substituteExpressions(String(v), matrix).replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, "${{ $1 }}")]));
  for (const cmd of execute(text, 1, seed).commands) {
    if (cmd.words[0] !== "docker" || cmd.words[1] !== "build") continue;
    cmd.words.forEach((w, i) => {
      if (w !== "--build-arg") return;
      const a = cmd.words[i + 1]!;
      const eq = a.indexOf("=");
      args[a.slice(0, eq)] = a.slice(eq + 1);
    });
  }
  return args;
}

/**
 * The facts of each environment's workflow -> one registry. Where the environments disagree
 * beyond per-environment values, the registry keeps the union, limited with `environments:`
 * wherever that keeps each environment doing what it did, and every such place gets a
 * diagnostic (file:line) and an `// import:` comment in the written registry.
 */
import { reaches as reachesIn } from "./graph.ts";
import { error, warning } from "../diagnostics.ts";
import type { ImportDiagnostic } from "./findings.ts";
import { KIND_ORDER } from "../config/kinds.ts";
import type { BuildArgValue, CronJob, DeployKind, Environment, OneTimeJob, Registry, Service, Value } from "../config/registry.ts";
import { inferDomains, withDomainPlaceholders } from "./domains.ts";
import { secretName, type WorkflowFacts } from "./read-workflow.ts";
import type { RepositoryFacts } from "./read-repository.ts";
import { type DeployOrderReport, orderFromEvidence } from "./deploy-order.ts";

/** An expression written as is into the registry (a shared constant). */
export interface RawExpression {
  raw: string;
}

/** Comments by registry location: `services.<name>`, `secretGroups.<group>.<key>`, … */
export type ImportComments = Map<string, string[]>;

export interface ImportedRegistry {
  registry: Registry;
  /** Services whose `secrets` is the shared constant (written as `secrets: importedSecretGroups`). */
  sharedSecretServices: Set<string>;
  comments: ImportComments;
  diagnostics: ImportDiagnostic[];
  /** How the deploy order was decided: inferred edges with their evidence, hand-written orderings not kept. */
  order?: DeployOrderReport;
  /** Deploy phases of each hand-written workflow, for comparison. */
  handWrittenPhases: Record<string, number>;
}

export const SHARED_SECRETS_CONSTANT = "importedSecretGroups";

export interface EnvironmentInput {
  name: string;
  /** Workflow file relative to the repository root, written as the environment's workflowFile. */
  workflowFile: string;
  facts: WorkflowFacts;
}

const DEFAULT_TIMEOUT = 180;

export interface MergeOptions {
  /** The repository's manifests: Deployments, secrets read and dependency evidence per folder. */
  repository?: RepositoryFacts;
  /** Keep the hand-written step sequence as dependsOn instead of inferring it from the manifests. */
  keepOrder?: boolean;
}

export function mergeWorkflows(inputs: readonly EnvironmentInput[], options: MergeOptions = {}): ImportedRegistry {
  const envNames = inputs.map((i) => i.name);
  const primary = inputs[0]!;
  const diagnostics: ImportDiagnostic[] = inputs.flatMap((i) => i.facts.diagnostics);
  const comments: ImportComments = new Map();
  const comment = (where: string, text: string): void => {
    const list = comments.get(where) ?? [];
    if (!list.includes(text)) list.push(text);
    comments.set(where, list);
  };
  const differ = (input: EnvironmentInput, line: number, message: string, resolution: string, where?: string): void => {
    diagnostics.push(warning("IMPORT_ENVIRONMENTS_DIFFER", message, { file: input.facts.file, line, fix: resolution }));
    if (where) comment(where, `${message}; ${resolution}`);
  };
  const unmappable = (input: EnvironmentInput, line: number, message: string, fix: string): void => {
    diagnostics.push(error("IMPORT_UNMAPPABLE", message, { file: input.facts.file, line, fix }));
  };
  const onlyIn = (present: readonly EnvironmentInput[]): string => present.map((p) => p.name).join(", ");

  // ---- services: which exist, in which environments ------------------------------------------
  const builtOrder = mergeOrder(inputs.map((i) => i.facts.builds.map((b) => b.name)));
  const deployOrder = mergeOrder(inputs.map((i) => i.facts.phases.flat()));
  const builtSet = new Set(builtOrder);
  const allNames = [...new Set([...deployOrder.filter((n) => !builtSet.has(n)), ...builtOrder])];
  const isBuilt = (n: string): boolean => builtSet.has(n);
  // Lookups by name, built once: the merge stays near-linear in the number of services and phases.
  const buildsOf = new Map(inputs.map((i) => [i, new Map(i.facts.builds.map((b) => [b.name, b]))]));
  const buildIn = (i: EnvironmentInput, name: string) => buildsOf.get(i)!.get(name);
  const phaseIndex = new Map(inputs.map((i) => [i, new Map(i.facts.phases.flatMap((p, k) => p.map((n) => [n, k] as const)))]));
  const phaseOf = (i: EnvironmentInput, name: string): number => phaseIndex.get(i)!.get(name) ?? -1;
  const sentryOf = new Map(inputs.map((i) => [i, new Set(i.facts.sentry?.services ?? [])]));
  const kinds = new Map<string, DeployKind>();
  for (const n of allNames) kinds.set(n, inferKind(n, inputs, buildIn, phaseOf));

  // ---- domains and values ---------------------------------------------------------------------
  const pairs = allNames.flatMap((n) => {
    const argNames = new Set(inputs.flatMap((i) => (i.facts.buildArgs[n] ?? []).map((a) => a.name)));
    return [...argNames].map((a) => ({
      byEnv: Object.fromEntries(inputs.flatMap((i) => (i.facts.buildArgs[n] ?? []).filter((x) => x.name === a).map((x) => [i.name, x.value]))),
    }));
  });
  const domains = inferDomains(envNames, pairs);
  const toValue = (input: EnvironmentInput, raw: string, line: number): Value | undefined => {
    const secret = secretName(raw);
    if (secret) return { secret };
    const text = raw
      .replace(/\$\{\{ github\.sha \}\}/g, "{sha}")
      .replace(/\$\{GITHUB_SHA\}/g, "{sha}")
      .replace(/\$\(\s*git\s+rev-parse\s+(?:--verify\s+)?HEAD\s*\)/g, "{sha}");
    if (/\$\(|`/.test(text)) {
      unmappable(input, line, `value ${raw} is computed by a command when the workflow runs; the registry holds values known when it is generated`, "left out: set a plain value or a placeholder ({sha}, {environment}, {namespace}, {domains.<key>}) by hand");
      return undefined;
    }
    const unset = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/.exec(text);
    if (unset) {
      unmappable(input, line, `value ${raw} reads the shell variable ${unset[1]}, which the workflow never sets`, "left out: set the value by hand");
      return undefined;
    }
    if (/\$\{\{/.test(text)) {
      unmappable(input, line, `value ${raw} uses an expression the registry cannot hold`, "use a plain value, { secret: \"NAME\" } or a placeholder ({sha}, {environment}, {namespace}, {domains.<key>})");
      return undefined;
    }
    return withDomainPlaceholders(text, domains.byEnv[input.name] ?? {});
  };
  const sameValue = (a: Value, b: Value): boolean => JSON.stringify(a) === JSON.stringify(b);
  /** One value per environment -> a single value, or byEnvironment when they differ. */
  const mergeValue = (perEnv: { input: EnvironmentInput; value: Value }[]): Value => {
    const first = perEnv[0]!.value;
    if (perEnv.every((p) => sameValue(p.value, first))) return first;
    return { byEnvironment: Object.fromEntries(perEnv.map((p) => [p.input.name, p.value as string | { secret: string }])) };
  };

  // ---- secret groups: the union ----------------------------------------------------------------
  const secretGroups: Record<string, Record<string, string>> = {};
  const groupNames = mergeOrder(inputs.map((i) => i.facts.secretGroups.map((g) => g.name)));
  for (const g of groupNames) {
    const present = inputs.filter((i) => i.facts.secretGroups.some((x) => x.name === g));
    const group: Record<string, string> = {};
    if (present.length < inputs.length) {
      const first = present[0]!;
      differ(first, first.facts.secretGroups.find((x) => x.name === g)!.line, `secret "${g}" is created in ${onlyIn(present)} only`, "kept (union): every environment now creates it; make sure its GitHub secrets exist there", `secretGroups.${g}`);
    }
    const keyNames = mergeOrder(present.map((i) => i.facts.secretGroups.find((x) => x.name === g)!.keys.map((k) => k.key)));
    for (const key of keyNames) {
      const having = present.flatMap((i) => i.facts.secretGroups.filter((x) => x.name === g).flatMap((x) => x.keys.filter((k) => k.key === key).map((k) => ({ input: i, k }))));
      const secrets = [...new Set(having.map((h) => h.k.secret))];
      if (secrets.length > 1) {
        const h = having.find((x) => x.k.secret !== having[0]!.k.secret)!;
        unmappable(h.input, h.k.line, `secret "${g}" key "${key}" reads ${secrets.join(" in one environment and ")} in another; the registry maps a key to one GitHub secret`, `use one GitHub secret name (an environment secret can hold a different value per environment); the import used ${secrets[0]}`);
      }
      group[key] = secrets[0]!;
      const envsWithKey = new Set(having.map((h) => h.input.name));
      if (present.length > 1 && envsWithKey.size < present.length) {
        const h = having[0]!;
        differ(h.input, h.k.line, `secret "${g}" key "${key}" is created in ${[...envsWithKey].join(", ")} only`, "kept (union): every environment now creates it; make sure its GitHub secret exists there", `secretGroups.${g}.${key}`);
      }
    }
    secretGroups[g] = group;
  }
  const allGroups = Object.keys(secretGroups);

  // ---- each service -----------------------------------------------------------------------------
  const services: Service[] = [];
  const extraDeployments = new Map<string, string[]>();
  const sharedSecretServices = new Set<string>();
  const envsOf = new Map<string, string[]>();
  for (const name of allNames) {
    const where = `services.${name}`;
    const built = inputs.filter((i) => buildIn(i, name) !== undefined);
    const deployed = inputs.filter((i) => i.facts.deployed[name] !== undefined);
    for (const i of built.filter((b) => !deployed.includes(b)))
      unmappable(i, buildIn(i, name)!.line, `"${name}" is built but never deployed in ${i.name}`, "the registry deploys every service it builds: deploy it, or remove it from the matrix");
    const present = deployed;
    if (present.length === 0) continue;
    envsOf.set(name, present.map((p) => p.name));
    const kind = kinds.get(name)!;
    const service: Service = { name, kind };
    if (isBuilt(name)) {
      const paths = [...new Set(built.map((b) => buildIn(b, name)!.path))];
      service.path = paths[0]!;
      if (paths.length > 1) differ(built[1]!, buildIn(built[1]!, name)!.line, `"${name}" is built from ${paths.join(" and ")}`, `used ${paths[0]} (${built[0]!.name})`, where);
    } else service.image = false;
    if (present.length < inputs.length) {
      service.environments = present.map((p) => p.name);
      differ(present[0]!, present[0]!.facts.deployed[name]!.line, `service "${name}" is deployed in ${onlyIn(present)} only`, `kept with environments: [${present.map((p) => `"${p.name}"`).join(", ")}], so no environment deploys something new`, where);
    }
    // Deployments: those awaited by hand, plus (with the repository) every one the folder defines.
    const folder = options.repository?.folders.get(name);
    const awaited = mergeOrder(present.map((p) => (p.facts.deployed[name]!.awaited.length ? p.facts.deployed[name]!.awaited : [p.facts.deployed[name]!.deployment ?? name])));
    const deployments = folder ? mergeOrder([awaited.filter((d) => folder.deployments.some((x) => x.name === d)), folder.deployments.map((d) => d.name)]) : awaited;
    const main = deployments.includes(name) ? name : (deployments[0] ?? name);
    if (main !== name) service.deployment = main;
    // Several: one list, the service's own name (or the first) leading; set once every name is known (below).
    if (folder && !folder.deployments.length)
      unmappable(present[0]!, present[0]!.facts.deployed[name]!.line, `${present[0]!.facts.manifestsRoot}/${name}/ defines no Deployment, so there is no rollout to await`, "add the Deployment's manifest, or deploy the folder from templates/deploy/");
    extraDeployments.set(name, deployments.filter((d) => d !== main));
    const timeouts = present.map((p) => p.facts.deployed[name]!.timeoutSeconds ?? DEFAULT_TIMEOUT);
    const timeout = Math.max(...timeouts);
    if (timeout !== DEFAULT_TIMEOUT) service.rolloutTimeoutSeconds = timeout;
    if (new Set(timeouts).size > 1)
      diagnostics.push({
        ...warning("IMPORT_ENVIRONMENTS_DIFFER", `rollout timeouts differ (${present.map((p, k) => `${p.name} ${timeouts[k]}s`).join(", ")})`, { file: present[0]!.facts.file, line: present[0]!.facts.deployed[name]!.line, fix: `used the longest, ${timeout}s` }),
        kind: "rollout-timeout",
        subject: name,
      });
    for (const p of present) {
      const swallowed = p.facts.deployed[name]!.swallowed;
      if (!swallowed.length) continue;
      const others = present.filter((o) => o !== p && o.facts.deployed[name]!.swallowed.length === 0);
      // One finding per environment and kind, listing the services (see findings.ts).
      const message = `${p.name} ignores a failed apply or rollout (\`|| true\`)${others.length ? ` where ${onlyIn(others)} does not` : ""}: not carried over`;
      diagnostics.push({
        ...warning(others.length ? "IMPORT_ENVIRONMENTS_DIFFER" : "IMPORT_NOT_CARRIED_OVER", message, { file: p.facts.file, line: swallowed[0]!, fix: "the generated deploy fails on any error (the safe side); limit a service with environments: if it must not block" }),
        kind: "swallowed-failure",
        subject: name,
      });
    }

    // cronjobs and one-time jobs: the union, each limited to the environments that applied it
    for (const [field, label] of [["cronjobs", "cronjob"], ["jobs", "job"]] as const) {
      const names = mergeOrder(present.map((p) => p.facts.deployed[name]![field].map((c) => c.name)));
      const list: (CronJob | OneTimeJob)[] = [];
      for (const cj of names) {
        const having = present.filter((p) => p.facts.deployed[name]![field].some((c) => c.name === cj));
        const entry: CronJob = { name: cj };
        const schedule = having.map((h) => (h.facts.deployed[name]!.cronjobs.find((c) => c.name === cj) as { schedule?: string } | undefined)?.schedule).find((s) => s);
        if (field === "cronjobs" && schedule) entry.schedule = schedule;
        if (having.length < present.length) {
          entry.environments = having.map((h) => h.name);
          const at = having[0]!.facts.deployed[name]![field].find((c) => c.name === cj)!;
          differ(having[0]!, at.line, `${label} "${cj}" of "${name}" is applied in ${onlyIn(having)} only`, `kept with environments: [${having.map((h) => `"${h.name}"`).join(", ")}]`, `${where}.${field}.${cj}`);
        }
        list.push(entry);
      }
      if (list.length) service[field] = list;
    }

    // Sentry: the union (a release is metadata; creating one more is harmless)
    const sentryIn = present.filter((p) => sentryOf.get(p)!.has(name));
    if (sentryIn.length && isBuilt(name)) {
      service.sentry = true;
      const missing = present.filter((p) => !sentryIn.includes(p));
      if (missing.length)
        diagnostics.push({
          ...warning("IMPORT_ENVIRONMENTS_DIFFER", `a Sentry release is created in ${onlyIn(sentryIn)} only`, { file: sentryIn[0]!.facts.file, line: sentryIn[0]!.facts.sentry!.line, fix: "kept (union): every environment now creates its release" }),
          kind: "sentry-one-environment",
          subject: name,
        });
    }

    // build arguments
    if (isBuilt(name)) {
      const argNames = mergeOrder(built.map((b) => (b.facts.buildArgs[name] ?? []).map((a) => a.name)));
      const args: Record<string, Value> = {};
      for (const arg of argNames) {
        const perEnv = built.flatMap((b) =>
          (b.facts.buildArgs[name] ?? [])
            .filter((a) => a.name === arg)
            .flatMap((a) => {
              const v = toValue(b, a.value, a.line);
              return v === undefined ? [] : [{ input: b, value: v, line: a.line }];
            }),
        );
        if (!perEnv.length) continue;
        const builtEnvs = built.filter((b) => service.environments === undefined || service.environments.includes(b.name));
        if (perEnv.length < builtEnvs.length) {
          differ(perEnv[0]!.input, perEnv[0]!.line, `build argument ${arg} of "${name}" is passed in ${onlyIn(perEnv.map((p) => p.input))} only`, "kept (union): every environment now passes it", `${where}.buildArgs.${arg}`);
          args[arg] = perEnv[0]!.value;
        } else args[arg] = mergeValue(perEnv);
        // byEnvironment needs every registry environment
        const v = args[arg]!;
        if (typeof v !== "string" && "byEnvironment" in v) for (const e of envNames) v.byEnvironment[e] ??= Object.values(v.byEnvironment)[0]!;
      }
      const { buildArgs, buildSecrets } = splitBuildSecrets(args);
      if (Object.keys(buildArgs).length) service.buildArgs = buildArgs;
      if (Object.keys(buildSecrets).length) {
        service.buildSecrets = buildSecrets;
        const at = built.find((b) => b.facts.buildArgs[name]?.length)!;
        const line = at.facts.buildArgs[name]![0]!.line;
        for (const [id, secret] of Object.entries(buildSecrets))
          diagnostics.push({
            ...warning("IMPORT_ASSUMPTION", `build argument ${id} carries the GitHub secret ${secret}: imported as a BuildKit build secret, since build arguments persist in the image`, {
              file: at.facts.file,
              line,
              fix: `in the Dockerfile, replace \`ARG ${id}\` with \`RUN --mount=type=secret,id=${id},env=${id} …\` on the step that reads it`,
            }),
            kind: "build-secret",
            subject: name,
          });
      }
    }

    // secrets: what the folder's manifests read; without the repository, backends and gateways get every group (see README).
    if (folder) {
      const read = [...folder.secrets.keys()].sort();
      const known = read.filter((g) => secretGroups[g] !== undefined);
      if (known.length) service.secrets = known;
      for (const g of read.filter((x) => secretGroups[x] === undefined))
        unmappable(present[0]!, present[0]!.facts.deployed[name]!.line, `the manifests of "${name}" read secret "${g}", which no workflow creates`, `add secretGroups["${g}"] with its keys and GitHub secrets, and "${g}" to the service's secrets`);
    } else if ((kind === "backend" || kind === "gateway") && allGroups.length) {
      service.secrets = [...allGroups];
      sharedSecretServices.add(name);
    }
    services.push(service);
  }

  // ---- deploy order ------------------------------------------------------------------------------
  const byName = new Map(services.map((s) => [s.name, s]));
  let order: DeployOrderReport | undefined;
  if (options.repository && !options.keepOrder) {
    order = orderFromEvidence(services, options.repository, inputs, envsOf);
    for (const d of order.diagnostics) diagnostics.push(d);
  } else {
  const edges = new Map<string, Map<string, string[]>>(); // service -> dep -> envs
  for (const input of inputs) {
    input.facts.phases.forEach((phase, k) => {
      if (k === 0) return;
      for (const s of phase) for (const d of input.facts.phases[k - 1]!) {
        const m = edges.get(s) ?? new Map<string, string[]>();
        m.set(d, [...(m.get(d) ?? []), input.name]);
        edges.set(s, m);
      }
    });
  }
  const deps = new Map<string, string[]>();
  // While every kept edge goes to an earlier production phase, an edge to an earlier production
  // phase cannot close a cycle: only the others need the graph walk.
  let monotone = true;
  const rank = (n: string): number => phaseOf(primary, n);
  const reaches = (from: string, to: string): boolean => reachesIn(deps, from, to);
  // Production's (the first input's) edges first, so a conflict keeps production's order.
  const ordered = [...edges.entries()].flatMap(([s, m]) => [...m.entries()].map(([d, envs]) => ({ s, d, envs })));
  ordered.sort((a, b) => Number(!a.envs.includes(primary.name)) - Number(!b.envs.includes(primary.name)));
  for (const { s, d, envs } of ordered) {
    const service = byName.get(s);
    const dep = byName.get(d);
    if (!service || !dep) continue;
    const input = inputs.find((i) => i.name === envs[0])!;
    const line = input.facts.deployed[s]?.line ?? 1;
    if (KIND_ORDER.indexOf(dep.kind) > KIND_ORDER.indexOf(service.kind)) {
      differ(input, line, `${input.name} deploys ${service.kind} "${s}" after ${dep.kind} "${d}"`, `not kept: kinds deploy in the order ${KIND_ORDER.join(", ")}`, `services.${s}`);
      continue;
    }
    const missing = (envsOf.get(s) ?? []).filter((e) => !(envsOf.get(d) ?? []).includes(e));
    if (missing.length) continue; // the dependency is not deployed everywhere the service is
    const ordered = rank(d) !== -1 && rank(s) !== -1 && rank(d) < rank(s);
    if (!(monotone && ordered) && reaches(d, s)) {
      differ(input, line, `${input.name} deploys "${s}" after "${d}", while another environment deploys them the other way round`, `kept ${primary.name}'s order`, `services.${s}`);
      continue;
    }
    if (!ordered) monotone = false;
    deps.set(s, [...(deps.get(s) ?? []), d]);
  }
  const position = new Map(allNames.map((n, k) => [n, k]));
  if (!options.keepOrder) order = withoutSameKindSteps(services, deps, inputs, (e, n) => phaseOf(e, n));
  for (const s of services) {
    const list = deps.get(s.name);
    if (list?.length) s.dependsOn = [...list].sort((a, b) => position.get(a)! - position.get(b)!);
  }
  // Report order differences: a service of the phase just before "s" in one environment that the
  // other environment does not deploy before it (looked up by phase index, so linear overall).
  // Without --keep-order the same-kind orderings are dropped and listed instead (order.notKept).
  for (const s of options.keepOrder ? allNames : []) {
    const before = new Map<string, string[]>(); // dependency -> environments where it comes first
    const both = inputs.filter((i) => phaseOf(i, s) !== -1);
    if (both.length < 2) continue;
    for (const e of both) {
      const k = phaseOf(e, s);
      if (k <= 0) continue;
      for (const d of e.facts.phases[k - 1]!) {
        if (d === s || !both.every((i) => phaseOf(i, d) !== -1)) continue;
        if (both.every((o) => phaseOf(o, d) < phaseOf(o, s))) continue;
        before.set(d, [...(before.get(d) ?? []), e.name]);
      }
    }
    if (!before.size) continue;
    const envs = [...new Set([...before.values()].flat())];
    const input = inputs.find((i) => i.name === envs[0])!;
    const parts = envs.map((e) => `${e} waits for ${[...before.entries()].filter(([, x]) => x.includes(e)).map(([d]) => `"${d}"`).join(", ")}`);
    const direct = new Set(deps.get(s) ?? []);
    const kept = [...before.keys()].every((d) => direct.has(d));
    differ(
      input,
      input.facts.deployed[s]?.line ?? 1,
      `deploy order differs before "${s}": ${parts.join("; ")}, the other environment does not`,
      kept ? "kept the union of both orders: every environment now waits" : "partly kept (see the other findings)",
      `services.${s}`,
    );
  }
  for (const input of inputs) reportOrderWithinPhases(input, inputs, differ);
  }

  // Further Deployments of a folder: the service's `deployment` lists them all, so each is
  // awaited, rolled back and checked, and the folder is applied once.
  const deploymentOwners = new Map(services.map((s) => [s.name, s.name]));
  for (const [name, extras] of extraDeployments) {
    const owner = services.find((s) => s.name === name)!;
    const kept = extras.filter((d) => {
      const other = deploymentOwners.get(d);
      if (other === undefined) return deploymentOwners.set(d, name), true;
      unmappable(primary, primary.facts.deployed[name]?.line ?? 1, `Deployment "${d}" in ${name}'s folder has the name of ${other === name ? "another of its Deployments" : `the service "${other}" (its Deployment)`}: two Deployments of one name overwrite each other`, "rename one of them, then add it to the service's deployment list");
      return false;
    });
    if (kept.length) owner.deployment = [typeof owner.deployment === "string" ? owner.deployment : name, ...kept];
  }

  // ---- environments ------------------------------------------------------------------------------
  const environments: Record<string, Environment> = {};
  for (const input of inputs) {
    const f = input.facts;
    if (!f.branch) unmappable(input, 1, "no `on: push: branches:` found", `the import used "${input.name}"; set environments.${input.name}.branch`);
    if (!f.ingress) unmappable(input, 1, "no ingress manifest is applied", `the import used "ingress.yaml"; set environments.${input.name}.ingressManifest`);
    if (!f.imageTags.length) unmappable(input, 1, "no docker push found: image tags unknown", `the import used ["{sha}"]; set environments.${input.name}.imageTags`);
    const manifestVariables: Record<string, Value> = {};
    for (const v of f.manifestVariables) {
      const value = toValue(input, v.value, v.line);
      if (value !== undefined) manifestVariables[v.name] = value;
    }
    environments[input.name] = {
      branch: f.branch ?? input.name,
      workflowFile: input.workflowFile,
      workflowName: f.name ?? `Deploy to ${input.name}`,
      githubEnvironment: f.githubEnvironment ?? input.name,
      imageTags: f.imageTags.length ? f.imageTags : ["{sha}"],
      sentryEnvironment: f.sentry?.environment ?? input.name,
      ...(f.sentry?.releaseSuffix ? { sentryReleaseSuffix: f.sentry.releaseSuffix } : {}),
      domains: domains.byEnv[input.name] ?? {},
      ingressManifest: f.ingress?.path ?? "ingress.yaml",
      manifestVariables,
    };
  }
  // Variables the deployed services' manifests use that an environment never sets: envsubst would leave them empty.
  if (options.repository) {
    const deployedFolders = new Set(services.map((s) => s.manifests ?? s.name));
    for (const [name, env] of Object.entries(environments)) {
      const input = inputs.find((i) => i.name === name)!;
      for (const [folder, facts] of options.repository.folders) {
        if (!deployedFolders.has(folder)) continue;
        for (const v of facts.variables.filter((x) => env.manifestVariables[x] === undefined))
          diagnostics.push({
            ...warning("IMPORT_ASSUMPTION", `the manifests use \${${v}}, which ${name} never sets: envsubst leaves it empty`, { file: input.facts.file, line: 1, fix: `set environments.${name}.manifestVariables.${v}, or remove it from the manifests` }),
            kind: "manifest-variable-unset",
            subject: folder,
          });
      }
    }
  }
  // Manifest variables present in one environment only
  const varNames = mergeOrder(inputs.map((i) => i.facts.manifestVariables.map((v) => v.name)));
  for (const v of varNames) {
    const having = inputs.filter((i) => i.facts.manifestVariables.some((x) => x.name === v));
    if (having.length < inputs.length) differ(having[0]!, having[0]!.facts.manifestVariables.find((x) => x.name === v)!.line, `manifest variable ${v} is exported in ${onlyIn(having)} only`, "kept for that environment only", `environments.${having[0]!.name}.manifestVariables.${v}`);
  }
  // Jobs and template-covered steps present in one environment only
  const jobIds = mergeOrder(inputs.map((i) => i.facts.jobIds.map((j) => j.id)));
  for (const id of jobIds) {
    const having = inputs.filter((i) => i.facts.jobIds.some((j) => j.id === id));
    if (having.length < inputs.length) differ(having[0]!, having[0]!.facts.jobIds.find((j) => j.id === id)!.line, `job "${id}" exists in ${onlyIn(having)} only`, "the generated workflows have the same two jobs (build, deploy) in every environment");
  }
  const covered = mergeOrder(inputs.map((i) => i.facts.templateCovered.map((c) => c.command)));
  for (const c of covered) {
    const having = inputs.filter((i) => i.facts.templateCovered.some((x) => x.command === c));
    const at = having[0]!.facts.templateCovered.find((x) => x.command === c)!;
    if (having.length < inputs.length) differ(having[0]!, at.line, `\`${c}\` runs in ${onlyIn(having)} only`, "the generated workflows run it in every environment (templates/deploy/)");
    else diagnostics.push(warning("IMPORT_NOT_CARRIED_OVER", `\`${c}\` is already done by templates/deploy/`, { file: having[0]!.facts.file, line: at.line }));
  }

  // ---- project -------------------------------------------------------------------------------------
  const pick = <T>(label: string, get: (f: WorkflowFacts) => T | undefined, fallback: T, fix: string): T => {
    const values = inputs.map((i) => ({ i, v: get(i.facts) })).filter((x) => x.v !== undefined);
    if (!values.length) {
      unmappable(primary, 1, `${label} not found in any workflow`, fix);
      return fallback;
    }
    const distinct = [...new Set(values.map((x) => JSON.stringify(x.v)))];
    if (distinct.length > 1) unmappable(values[1]!.i, 1, `${label} differs between the environments (${distinct.join(" vs ")})`, `the registry has one; the import used ${primary.name}'s`);
    return values[0]!.v!;
  };
  const namespace = pick("the namespace", (f) => f.namespace, "default", "set project.namespace");
  const acrName = pick("the registry name secret (az acr login --name ${{ secrets.X }})", (f) => f.containerRegistry.nameSecret, "ACR_NAME", "set project.containerRegistry.nameSecret");
  const acrServer = pick("the registry login server secret (${{ secrets.X }}/<image>)", (f) => f.containerRegistry.loginServerSecret, "ACR_LOGIN_SERVER", "set project.containerRegistry.loginServerSecret");
  const rg = pick("the cluster resource group secret", (f) => f.cluster.resourceGroupSecret, "AKS_RESOURCE_GROUP", "set project.cluster.resourceGroupSecret");
  const cluster = pick("the cluster name secret", (f) => f.cluster.nameSecret, "AKS_CLUSTER_NAME", "set project.cluster.nameSecret");
  const loginInputs = inputs.map((i) => i.facts.azureLogin).filter((l) => l !== undefined);
  const { line: _line, ...azureLogin } = loginInputs[0] ?? { line: 0, method: "oidc" as const, clientIdSecret: "AZURE_CLIENT_ID", tenantIdSecret: "AZURE_TENANT_ID", subscriptionIdSecret: "AZURE_SUBSCRIPTION_ID" };
  if (!loginInputs.length) diagnostics.push(warning("IMPORT_ASSUMPTION", "no azure/login step found: the generated workflows log in with OIDC (AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_SUBSCRIPTION_ID)", { file: primary.facts.file, line: 1 }));
  const sentryFacts = inputs.map((i) => i.facts.sentry).find((s) => s?.organization);
  const anySentry = services.some((s) => s.sentry);
  if (anySentry && !sentryFacts) {
    unmappable(primary, primary.facts.sentry?.line ?? 1, "Sentry releases are created but SENTRY_ORG is not set in the step env", "set project.sentry.organization by hand; sentry was left off every service");
    for (const s of services) delete s.sentry;
  }
  const manifestsRoots = [...new Set(inputs.map((i) => i.facts.manifestsRoot))];
  if (manifestsRoots.length > 1) unmappable(inputs[1]!, 1, `manifests folders differ (${manifestsRoots.join(" vs ")})`, `the import used ${manifestsRoots[0]}`);
  const versionFile = inputs.map((i) => i.facts.versionFile).find((v) => v);

  // Hand-written pairs push the same commit tag from both environments; that is only safe when
  // the same-named secrets are environment secrets pointing at two registries, which is how the
  // jobs (each in its own GitHub environment) read them. Said, so a shared registry is noticed.
  if (inputs.length > 1)
    comment(
      "project.containerRegistry",
      "both workflows push the same tags with secrets read inside their own GitHub environment: assumed to be environment secrets for separate registries; if one registry is shared, remove perEnvironment and give staging its own first tag (e.g. \"{sha}-staging\")",
    );
  const registry: Registry = {
    project: {
      namespace,
      ...(versionFile ? { versionFile } : {}),
      manifestsRoot: manifestsRoots[0]!,
      containerRegistry: { nameSecret: acrName, loginServerSecret: acrServer, ...(inputs.length > 1 ? { perEnvironment: true } : {}) },
      cluster: { resourceGroupSecret: rg, nameSecret: cluster },
      azureLogin,
      ...(sentryFacts && anySentry ? { sentry: { organization: sentryFacts.organization!, ...(sentryFacts.authTokenSecret ? { authTokenSecret: sentryFacts.authTokenSecret } : {}) } } : {}),
    },
    environments,
    secretGroups,
    services,
  };
  const handWrittenPhases = Object.fromEntries(inputs.map((i) => [i.name, i.facts.phases.length]));
  return { registry, sharedSecretServices, comments, diagnostics, ...(order ? { order } : {}), handWrittenPhases };
}

/**
 * Without the manifests there is no evidence between services of one kind, so the order the steps
 * were typed in is kept only across kinds (infrastructure, backend, gateway, frontend): a service
 * that waited for one of its own kind now waits for what that one waited for of an earlier kind.
 * Each dropped ordering is listed with the line that restores it. `deps` is replaced in place.
 */
function withoutSameKindSteps(
  services: readonly Service[],
  deps: Map<string, string[]>,
  inputs: readonly EnvironmentInput[],
  phaseOf: (i: EnvironmentInput, name: string) => number,
): DeployOrderReport {
  const kindOf = new Map(services.map((s) => [s.name, s.kind]));
  const memo = new Map<string, string[]>();
  const earlierKinds = (name: string): string[] => {
    const known = memo.get(name);
    if (known) return known;
    memo.set(name, []); // deps is acyclic; this only guards recursion
    const out = [...new Set((deps.get(name) ?? []).flatMap((d) => (kindOf.get(d) === kindOf.get(name) ? earlierKinds(d) : [d])))];
    memo.set(name, out);
    return out;
  };
  const notKept: DeployOrderReport["notKept"] = [];
  const next = new Map<string, string[]>();
  for (const s of services) {
    const kept = earlierKinds(s.name);
    const dropped = (deps.get(s.name) ?? []).filter((d) => kindOf.get(d) === s.kind);
    next.set(s.name, kept);
    if (!dropped.length) continue;
    const at = inputs.find((i) => phaseOf(i, s.name) > 0 && i.facts.deployed[s.name]) ?? inputs[0]!;
    notKept.push({ service: s.name, file: at.facts.file, line: at.facts.deployed[s.name]?.line ?? 1, predecessors: dropped, restore: [...kept, ...dropped] });
  }
  deps.clear();
  for (const [k, v] of next) if (v.length) deps.set(k, v);
  return { source: "kinds", inferred: [], notKept, diagnostics: [] };
}

/** Names in the first list's order, then each later list's extra names after their predecessor. */
export function mergeOrder(lists: readonly (readonly string[])[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const list of lists) {
    let previous: string | undefined; // the last name of this list already placed
    for (const name of list) {
      if (!seen.has(name)) {
        out.splice(previous === undefined ? 0 : out.indexOf(previous) + 1, 0, name);
        seen.add(name);
      }
      previous = name;
    }
  }
  return out;
}

/**
 * Kind from how the service is deployed: not built and in a phase without built services ->
 * infrastructure; a name with "gateway" -> gateway; built from apps/ -> frontend; else backend.
 */
function inferKind(
  name: string,
  inputs: readonly EnvironmentInput[],
  buildIn: (i: EnvironmentInput, name: string) => { path: string } | undefined,
  phaseOf: (i: EnvironmentInput, name: string) => number,
): DeployKind {
  const build = inputs.map((i) => buildIn(i, name)).find((b) => b !== undefined);
  if (!build) {
    const withBuilt = inputs.some((i) => phaseOf(i, name) !== -1 && i.facts.phases[phaseOf(i, name)]!.some((n) => buildIn(i, n) !== undefined));
    return withBuilt ? "backend" : "infrastructure";
  }
  if (/gateway/.test(name)) return "gateway";
  if (build.path.startsWith("apps/")) return "frontend";
  return "backend";
}

/** Same phase, different order: harmless (a phase waits for all at once) but reported. */
function reportOrderWithinPhases(input: EnvironmentInput, inputs: readonly EnvironmentInput[], differ: (i: EnvironmentInput, line: number, message: string, resolution: string) => void): void {
  if (input === inputs[0]) return;
  const primary = inputs[0]!;
  const byMembers = new Map(primary.facts.phases.map((p) => [[...p].sort().join("\u0000"), p]));
  for (const phase of input.facts.phases) {
    const other = byMembers.get([...phase].sort().join("\u0000"));
    if (!other || other.join() === phase.join()) continue;
    const moved = phase.filter((n, k) => other[k] !== n);
    differ(
      input,
      input.facts.deployed[moved[0]!]?.line ?? 1,
      `the same services deploy in one phase but in a different order (${primary.name}: ${other.join(", ")}; ${input.name}: ${phase.join(", ")})`,
      "the generated phase applies them in registry order and waits for all at once, so the order has no effect",
    );
  }
}

/**
 * Build arguments that read a GitHub secret: a public value (a publishable key, a `NEXT_PUBLIC_`
 * variable, which ends up in the browser bundle anyway) stays a build argument marked
 * `public: true`; anything else becomes a BuildKit build secret, never stored in the image.
 */
function splitBuildSecrets(args: Record<string, Value>): { buildArgs: Record<string, BuildArgValue>; buildSecrets: Record<string, string> } {
  const buildArgs: Record<string, BuildArgValue> = {};
  const buildSecrets: Record<string, string> = {};
  const isPublic = (name: string): boolean => /^(NEXT_PUBLIC_|VITE_|PUBLIC_|REACT_APP_|EXPO_PUBLIC_)|PUBLISHABLE|_PUBLIC_KEY$/.test(name);
  const mark = (v: string | { secret: string }): string | { secret: string; public: true } => (typeof v === "string" ? v : { secret: v.secret, public: true });
  for (const [name, value] of Object.entries(args)) {
    const secrets = typeof value === "string" ? [] : "secret" in value ? [value.secret] : Object.values(value.byEnvironment).flatMap((v) => (typeof v === "string" ? [] : [v.secret]));
    if (!secrets.length) buildArgs[name] = value as BuildArgValue;
    else if (isPublic(name)) buildArgs[name] = typeof value !== "string" && "byEnvironment" in value ? { byEnvironment: Object.fromEntries(Object.entries(value.byEnvironment).map(([e, v]) => [e, mark(v)])) } : mark(value as { secret: string });
    else buildSecrets[name] = secrets[0]!;
  }
  return { buildArgs, buildSecrets };
}

/**
 * A repository without hand-written deploy workflows -> a starter registry read from its tree:
 * `services/*` and `apps/*` folders with a Dockerfile (backends, gateways by name, frontends),
 * `<manifests root>/*` folders holding a Deployment no source folder builds (infrastructure),
 * each service's `cronjobs/*.yaml` (with the schedule the CronJob says) and `jobs/*.yaml`, the
 * secret groups and keys its manifests read, and the variables the manifests use.
 *
 * What the tree cannot say (secret names for the registry and cluster, branches, dependencies,
 * domains) is guessed and marked `// init: guessed …` on its line, so the reader knows what to
 * check. Pure: reads through RepoFiles; same tree -> same text.
 */
import { isManifestFile, joinPath, type RepoFiles } from "../../audit/repo-files.ts";
import { parseManifest } from "../../audit/manifests.ts";
import { KIND_ORDER } from "../../config/kinds.ts";
import type { DeployKind } from "../../config/registry.ts";
import { byCodeUnit } from "../../sort-order.ts";

const MANIFESTS_ROOT = "infra/k8s";

interface FoundService {
  name: string;
  kind: DeployKind;
  path?: string;
  /** The Deployment's name in the manifests, when it is not the service's name. */
  deployment?: string | string[];
  cronjobs: { name: string; schedule?: string }[];
  jobs: string[];
  secretGroups: string[];
  guessedKind?: string;
}

export interface StarterRegistry {
  source: string;
  services: number;
  guesses: number;
}

export function starterRegistry(files: RepoFiles, registryImport: string): StarterRegistry {
  const manifestsRoot = MANIFESTS_ROOT;
  const services: FoundService[] = [];
  for (const [root, kind] of [["services", "backend"], ["apps", "frontend"]] as const)
    for (const e of files.list(root)) {
      if (!e.directory || !files.exists(`${root}/${e.name}/Dockerfile`)) continue;
      const gateway = kind === "backend" && /gateway/.test(e.name);
      services.push({
        name: e.name,
        kind: gateway ? "gateway" : kind,
        path: `${root}/${e.name}`,
        cronjobs: [],
        jobs: [],
        secretGroups: [],
        guessedKind: gateway ? "kind from its name" : kind === "backend" ? `kind from ${root}/ ("gateway" if it fronts the others)` : `kind from ${root}/`,
      });
    }

  const secretKeys = new Map<string, Set<string>>();
  const variables = new Set<string>();
  let namespace: string | undefined;
  for (const e of files.list(manifestsRoot)) {
    const dir = joinPath(manifestsRoot, e.name);
    if (!e.directory) {
      if (isManifestFile(e.name)) {
        const text = files.read(dir) ?? "";
        collectVariables(text, variables);
        namespace ??= parseManifest(dir, text).docs.find((d) => d.kind === "Namespace")?.name;
      }
      continue;
    }
    const top = files.list(dir).filter((f) => !f.directory && isManifestFile(f.name));
    const docs = top.flatMap((f) => {
      const text = files.read(joinPath(dir, f.name)) ?? "";
      collectVariables(text, variables);
      return parseManifest(joinPath(dir, f.name), text).docs;
    });
    const names = [...new Set(docs.filter((d) => d.kind === "Deployment").map((d) => d.name).filter((n): n is string => typeof n === "string"))];
    const deployment = names[0];
    let service = services.find((s) => s.name === e.name);
    if (!service) {
      // A folder no source folder builds: an off-the-shelf image (redis, rabbitmq), when it holds a Deployment to wait for.
      if (!deployment) continue;
      service = { name: e.name, kind: "infrastructure", cronjobs: [], jobs: [], secretGroups: [] };
      services.push(service);
    }
    // Several (an API and its worker): every one is awaited; the service's own name leads.
    if (names.length > 1) service.deployment = [...names.filter((n) => n === service.name), ...names.filter((n) => n !== service.name)];
    else if (deployment && deployment !== service.name) service.deployment = deployment;
    const groups = new Set<string>();
    for (const d of docs) collectSecretRefs(d.data, groups, secretKeys);
    for (const sub of ["cronjobs", "jobs"] as const)
      for (const f of files.list(joinPath(dir, sub))) {
        if (f.directory || !isManifestFile(f.name)) continue;
        const text = files.read(joinPath(dir, sub, f.name)) ?? "";
        collectVariables(text, variables);
        const parsed = parseManifest(joinPath(dir, sub, f.name), text).docs;
        for (const d of parsed) collectSecretRefs(d.data, groups, secretKeys);
        const name = f.name.replace(/\.ya?ml$/, "");
        if (sub === "jobs") service.jobs.push(name);
        else {
          const schedule = parsed.map((d) => (d.data.spec as { schedule?: unknown } | undefined)?.schedule).find((s) => typeof s === "string");
          service.cronjobs.push({ name, ...(typeof schedule === "string" ? { schedule } : {}) });
        }
      }
    service.secretGroups = [...groups].sort();
  }
  services.sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || byCodeUnit(a.name, b.name));

  const w = new Writer();
  let guesses = 0;
  const guess = (why: string): string => {
    guesses++;
    return `init: guessed ${why}`;
  };
  const hasVersion = files.exists("VERSION");
  // The branch checked out now names production's, when it is one of the usual two.
  const head = /^ref: refs\/heads\/(main|master)\s*$/.exec(files.read(".git/HEAD") ?? "")?.[1] ?? "main";
  const ingress = (name: string): string | undefined => (files.exists(joinPath(manifestsRoot, name)) ? name : undefined);
  const prodIngress = ingress("ingress.yaml") ?? ingress("ingress.yml");
  const stagingIngress = ingress("staging-ingress.yaml") ?? ingress("ingress-staging.yaml") ?? prodIngress;

  w.line("// The service registry, started by `gen-workflows init` from this repository's tree.");
  w.line("// Lines marked `// init: guessed …` are guesses: check each one, then generate the workflows.");
  w.line(`import { defineConfig } from ${JSON.stringify(registryImport)};`);
  w.line("");
  w.open("export default defineConfig({");
  w.open("project: {");
  w.prop("namespace", namespace ?? "default", namespace ? `from ${manifestsRoot}'s Namespace` : guess("(no Namespace manifest found)"));
  w.prop("manifestsRoot", manifestsRoot);
  w.raw(`containerRegistry: { nameSecret: "ACR_NAME", loginServerSecret: "ACR_LOGIN_SERVER" }, // ${guess("GitHub secret names")}`);
  w.raw(`cluster: { resourceGroupSecret: "AKS_RESOURCE_GROUP", nameSecret: "AKS_CLUSTER_NAME" }, // ${guess("GitHub secret names")}`);
  w.close("},");
  w.open("environments: {");
  const tagVars = (suffix: string): string[] => [`{sha}${suffix}`, ...(hasVersion ? [`v{version}${suffix}`] : [])];
  for (const env of [
    { key: "production", branch: head, file: "deploy-production.yml", title: "Deploy to production", tags: tagVars(""), ingress: prodIngress },
    { key: "staging", branch: "staging", file: "deploy-staging.yml", title: "Deploy to staging", tags: tagVars("-staging"), ingress: stagingIngress },
  ]) {
    w.open(`${env.key}: {`);
    w.prop("branch", env.branch, guess("branch"));
    w.prop("workflowFile", `.github/workflows/${env.file}`);
    w.prop("workflowName", env.title);
    w.prop("githubEnvironment", env.key, guess("GitHub environment"));
    // Staging's first tag differs from production's: both push to one registry unless it says otherwise.
    w.raw(`imageTags: ${JSON.stringify(env.tags).replace(/,/g, ", ")},`);
    w.prop("sentryEnvironment", env.key);
    w.raw("domains: {},");
    w.prop("ingressManifest", env.ingress ?? "ingress.yaml", env.ingress ? undefined : guess(`(no ${manifestsRoot}/ingress.yaml found)`));
    w.open("manifestVariables: {");
    for (const v of [...variables].sort()) {
      if (v === "IMAGE_TAG") w.prop(v, env.tags[0]!);
      else if (/REGISTRY|ACR/.test(v)) w.raw(`${v}: { secret: "ACR_LOGIN_SERVER" }, // ${guess("registry login server")}`);
      else w.raw(`${v}: { secret: ${JSON.stringify(v)} }, // ${guess("a GitHub secret of the same name")}`);
    }
    if (!variables.has("IMAGE_TAG")) w.prop("IMAGE_TAG", env.tags[0]!);
    w.close("},");
    w.close("},");
  }
  w.close("},");
  w.open("secretGroups: {");
  for (const [group, keys] of [...secretKeys].sort(([a], [b]) => byCodeUnit(a, b))) {
    w.open(`${JSON.stringify(group)}: {`);
    for (const key of [...keys].sort()) w.raw(`${JSON.stringify(key)}: ${JSON.stringify(key.toUpperCase().replace(/[^A-Z0-9]+/g, "_"))}, // ${guess("GitHub secret name")}`);
    w.close("},");
  }
  w.close("},");
  w.open("services: [");
  for (const s of services) {
    const previous = previousKindServices(services, s.kind);
    w.open("{");
    w.prop("name", s.name, s.path && !files.exists(joinPath(manifestsRoot, s.name)) ? guess(`deployed, though ${manifestsRoot}/${s.name}/ does not exist yet`) : undefined);
    w.prop("kind", s.kind, s.guessedKind ? guess(s.guessedKind) : undefined);
    if (s.path) w.prop("path", s.path);
    else w.raw("image: false, // an off-the-shelf image: nothing to build");
    if (previous.length) w.raw(`dependsOn: ${JSON.stringify(previous).replace(/,/g, ", ")}, // ${guess("dependencies: every service of the kind before it")}`);
    if (typeof s.deployment === "string") w.prop("deployment", s.deployment);
    else if (s.deployment) w.raw(`deployment: ${JSON.stringify(s.deployment).replace(/,/g, ", ")},`);
    if (s.secretGroups.length) w.raw(`secrets: ${JSON.stringify(s.secretGroups).replace(/,/g, ", ")},`);
    if (s.cronjobs.length) {
      w.open("cronjobs: [");
      for (const c of s.cronjobs) w.raw(`{ name: ${JSON.stringify(c.name)}${c.schedule ? `, schedule: ${JSON.stringify(c.schedule)}` : ""} },`);
      w.close("],");
    }
    if (s.jobs.length) w.raw(`jobs: [${s.jobs.map((j) => `{ name: ${JSON.stringify(j)} }`).join(", ")}],`);
    w.close("},");
  }
  w.close("],");
  w.close("});");
  return { source: w.text(), services: services.length, guesses };
}

/** The services of the nearest earlier kind that has any: the default dependency, as add-service does. */
function previousKindServices(services: readonly FoundService[], kind: DeployKind): string[] {
  for (let i = KIND_ORDER.indexOf(kind) - 1; i >= 0; i--) {
    const found = services.filter((s) => s.kind === KIND_ORDER[i]).map((s) => s.name);
    if (found.length) return found;
  }
  return [];
}

function collectVariables(text: string, into: Set<string>): void {
  for (const m of text.matchAll(/\$\{([A-Z_][A-Z0-9_]*)\}/g)) into.add(m[1]!);
}

/** Every `secretKeyRef` (group and key) below a manifest document. */
function collectSecretRefs(value: unknown, groups: Set<string>, keys: Map<string, Set<string>>): void {
  if (Array.isArray(value)) return value.forEach((v) => collectSecretRefs(v, groups, keys));
  if (!value || typeof value !== "object") return;
  const ref = (value as { secretKeyRef?: { name?: unknown; key?: unknown } }).secretKeyRef;
  if (ref && typeof ref.name === "string" && typeof ref.key === "string") {
    groups.add(ref.name);
    if (!keys.has(ref.name)) keys.set(ref.name, new Set());
    keys.get(ref.name)!.add(ref.key);
  }
  for (const v of Object.values(value)) collectSecretRefs(v, groups, keys);
}

/** Indented TypeScript source, two spaces a level. */
class Writer {
  private lines: string[] = [];
  private depth = 0;
  line(text: string): void {
    this.lines.push(text === "" ? "" : "  ".repeat(this.depth) + text);
  }
  raw(text: string): void {
    this.line(text);
  }
  prop(key: string, value: string, comment?: string): void {
    this.line(`${key}: ${JSON.stringify(value)},${comment ? ` // ${comment}` : ""}`);
  }
  open(text: string): void {
    this.line(text);
    this.depth++;
  }
  close(text: string): void {
    this.depth--;
    this.line(text);
  }
  text(): string {
    return this.lines.join("\n") + "\n";
  }
}

/**
 * The change detection's decision, pure: changed files + the pnpm workspace graph + Dockerfiles
 * -> which services to build and which to re-tag. `changes.ts` reads git and the files and
 * calls it on the runner.
 */

export interface AffectedService {
  name: string;
  path: string;
  /** `<name>@<hash>`; the last deploy's data file holds it when the build definition did not change. */
  definition: string;
}

export interface WorkspacePackage {
  dir: string;
  deps: string[];
}

export interface ServiceInputs {
  dirs: string[];
  sources: string[];
}

export interface Selection {
  build: string[];
  retag: string[];
  reasons: Record<string, string>;
}

/**
 * One segment of a Dockerfile source glob as a RegExp: * and ? as in Go's filepath.Match; a
 * bracket class is read as any one character (it can only match more, never less).
 */
export function globToRegExp(glob: string): RegExp {
  let source = "";
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    const close = ch === "[" ? glob.indexOf("]", i + 2) : -1;
    if (ch === "*") source += "[^/]*";
    else if (ch === "?") source += "[^/]";
    else if (close > i) {
      source += "[^/]";
      i = close;
    } else source += ch.replace(/[.+^$()|[\]\\{}]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

/**
 * A source as a path relative to the build context (the repository root): "./" and "." segments
 * dropped, ".." resolved (never above the root), a leading "/" read as the root, a variable
 * ($NAME or ${NAME}) read as "*". "." stands for the whole context.
 */
export function normaliseSource(source: string): string {
  const segments: string[] = [];
  for (const segment of source.replace(/\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*/g, "*").split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") segments.pop();
    else segments.push(segment);
  }
  return segments.length === 0 ? "." : segments.join("/");
}

function copySources(rest: string): string[] {
  let args: string[];
  if (rest.startsWith("[")) {
    try {
      const parsed: unknown = JSON.parse(rest);
      if (!Array.isArray(parsed)) return [];
      args = parsed.map(String);
    } catch {
      return [];
    }
  } else args = rest.split(/\s+/);
  // COPY --from reads another stage or image, not the build context.
  if (args.some((a) => /^--from=/i.test(a))) return [];
  const paths = args.filter((a) => !a.startsWith("--"));
  return paths.slice(0, -1).filter((s) => !s.startsWith("<<") && !/^[a-z][a-z0-9+.-]*:\/\//i.test(s) && !/^git@/.test(s));
}

/**
 * `RUN --mount=type=bind,source=x` reads x from the build context (the default `from`); a bind
 * mount without `source` mounts the whole context. Mounts of another stage (`from=`) do not.
 */
function bindMountSources(rest: string): string[] {
  const out: string[] = [];
  for (const m of rest.matchAll(/--mount=(\S+)/g)) {
    const options = new Map(m[1]!.split(",").map((kv) => [kv.slice(0, kv.indexOf("=") === -1 ? kv.length : kv.indexOf("=")).toLowerCase(), kv.slice(kv.indexOf("=") + 1)]));
    if (options.get("type") !== "bind" || options.has("from")) continue;
    out.push(options.get("source") ?? options.get("src") ?? ".");
  }
  return out;
}

/**
 * The build-context paths a Dockerfile reads: COPY and ADD sources (not COPY --from, URLs or
 * heredocs) and RUN bind-mount sources, normalised: files or folders at any depth, globs kept.
 * "COPY . ." yields ".": the whole repository is in the image, so every file is an input.
 */
export function dockerfileSources(text: string): string[] {
  const sources = new Set<string>();
  for (const line of text.replace(/\\\r?\n/g, " ").split(/\r?\n/)) {
    const match = /^\s*(COPY|ADD|RUN)\s+(.+)$/i.exec(line);
    if (!match) continue;
    const rest = match[2]!.trim();
    const found = match[1]!.toUpperCase() === "RUN" ? bindMountSources(rest) : copySources(rest);
    for (const s of found) sources.add(normaliseSource(s));
  }
  return [...sources].sort();
}

/** Whether a file is a normalised source or inside it; a glob matches segment by segment. */
export function sourceMatches(source: string, file: string): boolean {
  if (source === ".") return true;
  const parts = source.split("/");
  const segments = file.split("/");
  for (let i = 0; i < parts.length; i++) {
    if (parts[i] === "**") return true;
    if (i >= segments.length || !globToRegExp(parts[i]!).test(segments[i]!)) return false;
  }
  return true;
}

const DEPENDENCY_FIELDS = ["dependencies", "devDependencies", "optionalDependencies", "peerDependencies"] as const;

/** package.json files ({ dir, json }) -> workspace packages by name: folder and workspace: dependencies. */
export function workspaceGraph(manifests: readonly { dir: string; json: unknown }[]): Map<string, WorkspacePackage> {
  const graph = new Map<string, WorkspacePackage>();
  for (const { dir, json } of manifests) {
    if (!json || typeof json !== "object") continue;
    const pkg = json as Record<string, unknown>;
    if (typeof pkg.name !== "string") continue;
    const deps = new Set<string>();
    for (const field of DEPENDENCY_FIELDS) {
      const value = pkg[field];
      if (value && typeof value === "object")
        for (const [name, spec] of Object.entries(value as Record<string, unknown>)) if (typeof spec === "string" && spec.startsWith("workspace:")) deps.add(name);
    }
    graph.set(pkg.name, { dir, deps: [...deps].sort() });
  }
  return graph;
}

/**
 * What a service's image is built from: its folder, the folders of the workspace packages it
 * depends on (transitively), and every path its Dockerfile reads. Without a Dockerfile to read,
 * every file counts (".").
 */
export function serviceInputs(service: { path: string }, graph: ReadonlyMap<string, WorkspacePackage>, dockerfileText: string | undefined): ServiceInputs {
  const dirs = new Set([service.path]);
  const own = [...graph.values()].find((p) => p.dir === service.path);
  const queue = own ? [...own.deps] : [];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const pkg = graph.get(name);
    if (!pkg) continue;
    if (pkg.dir !== "") dirs.add(pkg.dir);
    queue.push(...pkg.deps);
  }
  return { dirs: [...dirs].sort(), sources: dockerfileText === undefined ? ["."] : dockerfileSources(dockerfileText) };
}

/** The first changed file that is an input, or undefined. */
export function changedInput(inputs: ServiceInputs, changedFiles: readonly string[]): string | undefined {
  for (const file of changedFiles) {
    if (inputs.dirs.some((dir) => file.startsWith(`${dir}/`))) return file;
    if (inputs.sources.some((source) => sourceMatches(source, file))) return file;
  }
  return undefined;
}

export interface SelectInput {
  services: readonly AffectedService[];
  graph: ReadonlyMap<string, WorkspacePackage>;
  dockerfiles: ReadonlyMap<string, string>;
  changedFiles: readonly string[];
  /** The data file at the last deployed commit; undefined when there is no successful deploy to compare with. */
  previousData: string | undefined;
  fullBuild: boolean;
}

/** Which services to build (with the reason) and which to re-tag, in the given order. */
export function selectAffected(input: SelectInput): Selection {
  const build: string[] = [];
  const retag: string[] = [];
  const reasons: Record<string, string> = {};
  for (const service of input.services) {
    let reason: string | undefined;
    if (input.fullBuild) reason = "full build requested";
    else if (input.previousData === undefined) reason = "no previous successful deploy to re-tag from";
    else if (!input.previousData.includes(JSON.stringify(service.definition))) reason = "new service, or its build definition changed";
    else {
      const file = changedInput(serviceInputs(service, input.graph, input.dockerfiles.get(service.name)), input.changedFiles);
      if (file !== undefined) reason = `input changed: ${file}`;
    }
    if (reason === undefined) {
      retag.push(service.name);
      reasons[service.name] = "unchanged";
    } else {
      build.push(service.name);
      reasons[service.name] = reason;
    }
  }
  return { build, retag, reasons };
}

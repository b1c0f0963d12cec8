/**
 * The change detection that the `changes` job runs, as JavaScript source text. It runs on the
 * runner with plain Node (no install step, no dependencies), so it is shipped inside the
 * generated workflow rather than as a package. It is written as a string, not compiled from
 * TypeScript, so the text in the workflow is byte-for-byte what the tests import and run
 * (test/pipeline/affected-*.test.ts).
 *
 * AFFECTED_LIBRARY holds the pure decision (changed files + workspace graph -> build / re-tag);
 * AFFECTED_MAIN reads git, the GitHub API and the files, and writes the step outputs.
 * Constraint on both texts: no backtick and no dollar-brace sequence (they live in template literals, and
 * a workflow `run:` must never contain an expression).
 */

export const AFFECTED_LIBRARY = String.raw`
/**
 * One segment of a Dockerfile source glob as a RegExp: * and ? as in Go's filepath.Match; a
 * bracket class is read as any one character (it can only match more, never less).
 */
function globToRegExp(glob) {
  let source = "";
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    const close = ch === "[" ? glob.indexOf("]", i + 2) : -1;
    if (ch === "*") source += "[^/]*";
    else if (ch === "?") source += "[^/]";
    else if (close > i) {
      source += "[^/]";
      i = close;
    } else source += ch.replace(/[.+^$()|[\]\\{}]/g, "\\$&");
  }
  return new RegExp("^" + source + "$");
}

/**
 * A COPY or ADD source as a path relative to the build context (the repository root): "./" and
 * "." segments dropped, ".." resolved (never above the root), a leading "/" read as the root, a
 * variable ($NAME or its braced form) read as "*". "." stands for the whole context.
 */
function normaliseSource(source) {
  const segments = [];
  for (const segment of source.replace(/\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*/g, "*").split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") segments.pop();
    else segments.push(segment);
  }
  return segments.length === 0 ? "." : segments.join("/");
}

/**
 * The sources of a Dockerfile's COPY and ADD instructions (not those of COPY --from, which read
 * another stage; not URLs or heredocs), normalised: files or folders at any depth, globs kept.
 * "COPY . ." yields ".": the whole repository is in the image, so every file is an input.
 */
function dockerfileSources(text) {
  const sources = new Set();
  for (const line of text.replace(/\\\r?\n/g, " ").split(/\r?\n/)) {
    const match = /^\s*(?:COPY|ADD)\s+(.+)$/i.exec(line);
    if (!match) continue;
    const rest = match[1].trim();
    let args;
    if (rest.startsWith("[")) {
      try {
        args = JSON.parse(rest);
      } catch {
        continue;
      }
    } else args = rest.split(/\s+/);
    if (args.some((a) => /^--from=/i.test(a))) continue;
    const paths = args.filter((a) => !a.startsWith("--"));
    for (const source of paths.slice(0, -1)) {
      if (source.startsWith("<<") || /^[a-z][a-z0-9+.-]*:\/\//i.test(source) || /^git@/.test(source)) continue;
      sources.add(normaliseSource(source));
    }
  }
  return [...sources].sort();
}

/** Whether a file is a normalised source or inside it; a glob matches segment by segment. */
function sourceMatches(source, file) {
  if (source === ".") return true;
  const parts = source.split("/");
  const segments = file.split("/");
  for (let i = 0; i < parts.length; i++) {
    if (parts[i] === "**") return true;
    if (i >= segments.length || !globToRegExp(parts[i]).test(segments[i])) return false;
  }
  return true;
}

/** package.json files ({ dir, json }) -> workspace packages by name: folder and workspace: dependencies. */
function workspaceGraph(manifests) {
  const graph = new Map();
  for (const { dir, json } of manifests) {
    if (!json || typeof json.name !== "string") continue;
    const deps = new Set();
    for (const field of ["dependencies", "devDependencies", "optionalDependencies", "peerDependencies"])
      for (const [name, spec] of Object.entries(json[field] || {})) if (typeof spec === "string" && spec.startsWith("workspace:")) deps.add(name);
    graph.set(json.name, { dir, deps: [...deps].sort() });
  }
  return graph;
}

/**
 * What a service's image is built from: its folder, the folders of the workspace packages it
 * depends on (transitively), and every file or folder its Dockerfile copies. Without a Dockerfile
 * to read, every file counts (".").
 */
function serviceInputs(service, graph, dockerfileText) {
  const dirs = new Set([service.path]);
  const own = [...graph.values()].find((p) => p.dir === service.path);
  const queue = own ? [...own.deps] : [];
  const seen = new Set();
  while (queue.length > 0) {
    const name = queue.shift();
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
function changedInput(inputs, changedFiles) {
  for (const file of changedFiles) {
    if (inputs.dirs.some((dir) => file.startsWith(dir + "/"))) return file;
    if (inputs.sources.some((source) => sourceMatches(source, file))) return file;
  }
  return undefined;
}

/**
 * Which services to build and which to re-tag.
 * services: [{ name, path, definition }] in matrix order; definition is "<name>@<hash of its build
 * definition>", which the previous workflow text contains when the definition did not change.
 * previousWorkflow: the workflow file at the last deployed commit, or undefined when there was no
 * successful deploy to compare with (then everything is built: there is no image to re-tag).
 */
function selectAffected({ services, graph, dockerfiles, changedFiles, previousWorkflow, fullBuild }) {
  const build = [];
  const retag = [];
  const reasons = {};
  for (const service of services) {
    let reason;
    if (fullBuild) reason = "full build requested";
    else if (previousWorkflow === undefined) reason = "no previous successful deploy to re-tag from";
    else if (!previousWorkflow.includes('"definition":"' + service.definition + '"')) reason = "new service, or its build definition changed";
    else {
      const file = changedInput(serviceInputs(service, graph, dockerfiles.get(service.name)), changedFiles);
      if (file !== undefined) reason = "input changed: " + file;
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
`;

export const AFFECTED_MAIN = String.raw`
import { execFileSync, spawnSync } from "node:child_process";
import { appendFileSync, existsSync, readFileSync } from "node:fs";

const git = (args) => execFileSync("git", args, { encoding: "utf8", maxBuffer: 1 << 30 });
const gitMaybe = (args) => {
  const result = spawnSync("git", args, { encoding: "utf8", maxBuffer: 1 << 30 });
  return result.status === 0 ? result.stdout : undefined;
};

/**
 * The commit of the newest successful run of this workflow on the branch that is still in the
 * branch's history (nrwl/nx-set-shas semantics). Not the push's "before": a failed deploy's
 * changes must be built again by the next run.
 */
function lastDeployedCommit(repository, workflowFile, branch) {
  const workflow = workflowFile.split("/").pop();
  const shas = execFileSync(
    "gh",
    ["api", "--method", "GET", "repos/" + repository + "/actions/workflows/" + workflow + "/runs", "-f", "branch=" + branch, "-f", "status=success", "-f", "per_page=100", "--jq", ".workflow_runs[].head_sha"],
    { encoding: "utf8" },
  );
  for (const sha of shas.split("\n").map((s) => s.trim()).filter(Boolean))
    if (spawnSync("git", ["merge-base", "--is-ancestor", sha, "HEAD"]).status === 0) return sha;
  return undefined;
}

const env = process.env;
const data = JSON.parse(readFileSync(process.argv[2], "utf8"));
const fullBuild = env.FULL_BUILD === "true";
const base = fullBuild ? undefined : lastDeployedCommit(env.GITHUB_REPOSITORY, data.workflowFile, data.branch);
// -z: paths NUL-separated and verbatim; without it git quotes paths with special or non-ASCII
// characters ("caf\303\251.ts"), which no folder prefix matches.
const changedFiles = base ? git(["diff", "--name-only", "-z", "--no-renames", base, "HEAD"]).split("\0").filter(Boolean) : [];
const manifests = git(["ls-files", "-z", "--", ":(glob)**/package.json"])
  .split("\0")
  .filter(Boolean)
  .map((file) => ({ dir: file.includes("/") ? file.slice(0, file.lastIndexOf("/")) : "", json: JSON.parse(readFileSync(file, "utf8")) }));
const dockerfiles = new Map();
for (const s of data.services) {
  const file = s.entry.path + "/Dockerfile";
  if (existsSync(file)) dockerfiles.set(s.entry.name, readFileSync(file, "utf8"));
}
const result = selectAffected({
  services: data.services.map((s) => ({ name: s.entry.name, path: s.entry.path, definition: s.definition })),
  graph: workspaceGraph(manifests),
  dockerfiles,
  changedFiles,
  previousWorkflow: base ? gitMaybe(["show", base + ":" + data.workflowFile]) : undefined,
  fullBuild,
});

const building = new Set(result.build);
const outputs = [
  "base=" + (base || ""),
  "base-version=" + (base ? (gitMaybe(["show", base + ":" + data.versionFile]) || "").trim() : ""),
  "retag=" + result.retag.join(" "),
];
for (let shard = 1; shard <= data.shards; shard++)
  outputs.push("build-" + shard + "=" + JSON.stringify(data.services.filter((s) => s.shard === shard && building.has(s.entry.name)).map((s) => s.entry)));
appendFileSync(env.GITHUB_OUTPUT, outputs.join("\n") + "\n");

console.log(base ? "Last successful deploy: " + base + " (" + changedFiles.length + " files changed since)" : "No previous deploy to compare with: building everything");
for (const s of data.services) console.log((building.has(s.entry.name) ? "build  " : "re-tag ") + s.entry.name + ": " + result.reasons[s.entry.name]);
if (env.GITHUB_STEP_SUMMARY) {
  const rows = data.services.map((s) => "| " + s.entry.name + " | " + (building.has(s.entry.name) ? "build" : "re-tag") + " | " + result.reasons[s.entry.name].replace(/\|/g, "\\|") + " |");
  appendFileSync(env.GITHUB_STEP_SUMMARY, ["### Services to build", "", result.build.length + " built, " + result.retag.length + " re-tagged" + (base ? " since " + base : "") + ".", "", "| Service | Action | Why |", "| --- | --- | --- |", ...rows, ""].join("\n") + "\n");
}
`;

/** The names AFFECTED_LIBRARY defines, for tests that import it as a module. */
export const AFFECTED_LIBRARY_EXPORTS = ["globToRegExp", "normaliseSource", "dockerfileSources", "sourceMatches", "workspaceGraph", "serviceInputs", "changedInput", "selectAffected"] as const;

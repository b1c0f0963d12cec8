// @ts-check
/**
 * Fake kubectl backed by the per-run state directory. It understands the verbs deploy workflows
 * use (create … --dry-run=client -o yaml, apply -f, get, delete, rollout) well enough that
 * `create | apply -f -` stores a secret with its keys and a later `get secret -o jsonpath` can
 * verify them. Paths are checked like the real tool, so a workflow applying a directory that does
 * not exist fails here too. `apply` says "unchanged" for an identical object, a Deployment keeps
 * its earlier pod templates so `rollout undo` restores the previous one, `label --local` prints the
 * labelled objects, and `get` takes comma-separated kinds and `-l` selectors. Other verbs (set
 * image, annotate, wait, …) succeed silently.
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { extname, join, resolve } from "node:path";
import { parseAllDocuments, stringify } from "yaml";
import { flagMissingValue, flagValue, flagValues, hasFlag, parseArgs } from "./args.mjs";
import { canonicalKind, isClusterScoped, pluralLabel, resourceLabel } from "./kube-kinds.mjs";
import { renderJsonPath } from "./kube-jsonpath.mjs";
import { collectData } from "./kube-sources.mjs";
import { fail, ok } from "./result.mjs";
import { getObject, listObjects, putObject, removeObject } from "./state.mjs";

/** @typedef {import("./result.mjs").ToolIO} ToolIO */
/** @typedef {import("./result.mjs").ToolResult} ToolResult */
/** @typedef {import("./args.mjs").ParsedArgs} ParsedArgs */
/** @typedef {Record<string, unknown>} Manifest */

const VALUE_FLAGS = new Set([
  "-n", "--namespace", "-f", "--filename", "-o", "--output", "-l", "--selector", "-c", "--container",
  "--from-literal", "--from-file", "--from-env-file", "--type", "--timeout", "--context", "--kubeconfig",
  "--docker-server", "--docker-username", "--docker-password", "--docker-email", "--cert", "--key",
  "--image", "--replicas", "-k", "--kustomize", "--field-manager", "--for", "--revision",
]);

/** @param {Manifest} manifest */
function metadataOf(manifest) {
  const metadata = manifest.metadata;
  return metadata !== null && typeof metadata === "object" ? /** @type {Record<string, unknown>} */ (metadata) : {};
}

/**
 * @param {Manifest} manifest
 * @param {string | undefined} namespaceFlag
 * @returns {{ kind: string, name: string, namespace: string } | { error: string }}
 */
function identify(manifest, namespaceFlag) {
  const kind = manifest.kind;
  const metadata = metadataOf(manifest);
  if (typeof kind !== "string" || typeof metadata.name !== "string") {
    return { error: "error: error validating data: kind or metadata.name not set" };
  }
  if (isClusterScoped(kind)) return { kind, name: metadata.name, namespace: "" };
  const own = typeof metadata.namespace === "string" ? metadata.namespace : undefined;
  if (own !== undefined && namespaceFlag !== undefined && own !== namespaceFlag) {
    return {
      error: `error: the namespace from the provided object "${own}" does not match the namespace "${namespaceFlag}". You must pass '--namespace=${own}' to perform this operation.`,
    };
  }
  return { kind, name: metadata.name, namespace: own ?? namespaceFlag ?? "default" };
}

/**
 * @param {string} dir
 * @param {boolean} recursive
 * @returns {string[]}
 */
function manifestFiles(dir, recursive) {
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) return recursive ? manifestFiles(path, true) : [];
      return [".yaml", ".yml", ".json"].includes(extname(entry)) ? [path] : [];
    });
}

/**
 * @param {string} text
 * @param {string} label
 * @returns {{ manifests: Manifest[] } | { error: string }}
 */
function parseManifests(text, label) {
  /** @type {Manifest[]} */
  const manifests = [];
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0) return { error: `error: error parsing ${label}: ${document.errors[0]?.message}` };
    /** @type {unknown} */
    const value = document.toJS();
    if (value === null || value === undefined) continue;
    if (typeof value !== "object" || Array.isArray(value)) return { error: `error: error parsing ${label}: not an object` };
    const manifest = /** @type {Manifest} */ (value);
    if (manifest.kind === "List" && Array.isArray(manifest.items)) manifests.push(...manifest.items);
    else manifests.push(manifest);
  }
  return { manifests };
}

/**
 * Reads every manifest named by -f (files, directories, or "-" for stdin).
 * @param {ParsedArgs} parsed
 * @param {ToolIO} io
 * @returns {{ manifests: Manifest[] } | { error: string }}
 */
function loadManifests(parsed, io) {
  if (flagMissingValue(parsed, "-f", "--filename")) return { error: "error: flag needs an argument: 'f' in -f" };
  /** @type {Manifest[]} */
  const manifests = [];
  for (const source of flagValues(parsed, "-f", "--filename")) {
    /** @type {Array<{ text: string, label: string }>} */
    const inputs = [];
    if (source === "-") {
      inputs.push({ text: io.stdin ?? "", label: "STDIN" });
    } else if (/^https?:\/\//.test(source)) {
      return { error: `error: harness: kubectl -f ${source} needs the network, which this harness does not have` };
    } else {
      const absolute = resolve(io.cwd, source);
      if (!existsSync(absolute)) return { error: `error: the path "${source}" does not exist` };
      const files = statSync(absolute).isDirectory() ? manifestFiles(absolute, hasFlag(parsed, "-R", "--recursive")) : [absolute];
      for (const file of files) inputs.push({ text: readFileSync(file, "utf8"), label: file });
    }
    for (const input of inputs) {
      const parsedInput = parseManifests(input.text, input.label);
      if ("error" in parsedInput) return parsedInput;
      manifests.push(...parsedInput.manifests);
    }
  }
  return { manifests };
}

/**
 * Prints objects the way `-o` asks. `single` mirrors kubectl: a named get of one object prints
 * the object itself, anything else prints a List.
 * @param {Manifest[]} manifests
 * @param {string | undefined} output
 * @param {boolean} single
 * @returns {ToolResult}
 */
function printObjects(manifests, output, single) {
  const list = { apiVersion: "v1", kind: "List", items: manifests, metadata: { resourceVersion: "" } };
  const subject = single ? manifests[0] : list;
  if (output === "yaml") return ok(stringify(subject));
  if (output === "json") return ok(`${JSON.stringify(subject, null, 4)}\n`);
  if (output === "name") {
    return ok(manifests.map((m) => `${resourceLabel(String(m.kind))}/${String(metadataOf(m).name)}\n`).join(""));
  }
  if (output?.startsWith("jsonpath=")) {
    const rendered = renderJsonPath(output.slice("jsonpath=".length), subject);
    return "error" in rendered ? fail(rendered.error) : ok(rendered.text);
  }
  if (output === undefined || output === "wide") {
    return ok(["NAME", ...manifests.map((m) => `${resourceLabel(String(m.kind))}/${String(metadataOf(m).name)}`)].join("\n") + "\n");
  }
  return fail(`error: harness: the fake kubectl does not support -o ${output}`);
}

/**
 * @param {string} kind
 * @param {string} name
 * @param {string | undefined} namespaceFlag
 * @returns {Manifest}
 */
function skeleton(kind, name, namespaceFlag) {
  /** @type {Record<string, unknown>} */
  const metadata = { creationTimestamp: null, name };
  if (namespaceFlag !== undefined && !isClusterScoped(kind)) metadata.namespace = namespaceFlag;
  const apiVersion = kind === "Deployment" ? "apps/v1" : "v1";
  return { apiVersion, kind, metadata };
}

/**
 * @param {string[]} words positional words after "create"
 * @param {ParsedArgs} parsed
 * @param {ToolIO} io
 * @param {string | undefined} namespaceFlag
 * @returns {{ manifest: Manifest } | { error: string }}
 */
function buildForCreate(words, parsed, io, namespaceFlag) {
  const [what = "", ...rest] = words;
  const kind = canonicalKind(what);
  const [subtype, name] = kind === "Secret" ? [rest[0], rest[1]] : [undefined, rest[0]];
  if (!name) return { error: `error: exactly one NAME is required, got 0` };
  const manifest = skeleton(kind, name, namespaceFlag);
  if (kind === "Namespace") return { manifest: { ...manifest, spec: {}, status: {} } };
  if (kind === "ConfigMap" || (kind === "Secret" && subtype === "generic")) {
    const collected = collectData(parsed.flags, io.cwd, kind);
    if ("error" in collected) return collected;
    const type = flagValue(parsed, "--type");
    return { manifest: { apiVersion: "v1", data: collected.data, kind, metadata: manifest.metadata, ...(type ? { type } : {}) } };
  }
  if (kind === "Secret" && subtype === "docker-registry") {
    const server = flagValue(parsed, "--docker-server") ?? "https://index.docker.io/v1/";
    const auth = {
      username: flagValue(parsed, "--docker-username") ?? "",
      password: flagValue(parsed, "--docker-password") ?? "",
      email: flagValue(parsed, "--docker-email") ?? "",
    };
    const config = JSON.stringify({ auths: { [server]: auth } });
    return {
      manifest: { apiVersion: "v1", data: { ".dockerconfigjson": Buffer.from(config).toString("base64") }, kind, metadata: manifest.metadata, type: "kubernetes.io/dockerconfigjson" },
    };
  }
  if (kind === "Secret" && subtype === "tls") {
    const cert = flagValue(parsed, "--cert");
    const key = flagValue(parsed, "--key");
    if (!cert || !key) return { error: "error: --cert and --key are required" };
    /** @type {Record<string, string>} */
    const data = {};
    for (const [field, path] of [["tls.crt", cert], ["tls.key", key]]) {
      const absolute = resolve(io.cwd, path ?? "");
      if (!existsSync(absolute)) return { error: `error: open ${path}: no such file or directory` };
      data[field ?? ""] = readFileSync(absolute).toString("base64");
    }
    return { manifest: { apiVersion: "v1", data, kind, metadata: manifest.metadata, type: "kubernetes.io/tls" } };
  }
  if (kind === "Secret") return { error: `error: unknown secret type "${subtype ?? ""}" (generic, docker-registry, tls)` };
  return { manifest };
}

/**
 * `--dry-run` without a value is kubectl's deprecated spelling of client.
 * @param {ParsedArgs} parsed
 */
function isDryRun(parsed) {
  if (!hasFlag(parsed, "--dry-run")) return false;
  const value = flagValue(parsed, "--dry-run");
  return value !== "none";
}

/**
 * @param {string[]} words
 * @param {ParsedArgs} parsed
 * @param {ToolIO} io
 * @param {string | undefined} namespaceFlag
 * @returns {ToolResult}
 */
function create(words, parsed, io, namespaceFlag) {
  if (hasFlag(parsed, "-f", "--filename")) return createFromFiles(parsed, io, namespaceFlag);
  const built = buildForCreate(words, parsed, io, namespaceFlag);
  if ("error" in built) return fail(built.error);
  const output = flagValue(parsed, "-o", "--output");
  const id = identify(built.manifest, namespaceFlag);
  if ("error" in id) return fail(id.error);
  if (isDryRun(parsed)) {
    return output ? printObjects([built.manifest], output, true) : ok(`${resourceLabel(id.kind)}/${id.name} created (dry run)\n`);
  }
  if (getObject(io.stateDir, id.kind, id.namespace, id.name)) {
    return fail(`Error from server (AlreadyExists): ${pluralLabel(id.kind)} "${id.name}" already exists`);
  }
  putObject(io.stateDir, { ...id, manifest: built.manifest, step: io.step });
  return output ? printObjects([built.manifest], output, true) : ok(`${resourceLabel(id.kind)}/${id.name} created\n`);
}

/**
 * `create -f`: every object must be new (AlreadyExists otherwise, as the server answers).
 * @param {ParsedArgs} parsed
 * @param {ToolIO} io
 * @param {string | undefined} namespaceFlag
 * @returns {ToolResult}
 */
function createFromFiles(parsed, io, namespaceFlag) {
  const loaded = loadManifests(parsed, io);
  if ("error" in loaded) return fail(loaded.error);
  let stdout = "";
  for (const manifest of loaded.manifests) {
    const id = identify(manifest, namespaceFlag);
    if ("error" in id) return fail(id.error);
    if (getObject(io.stateDir, id.kind, id.namespace, id.name)) return fail(`Error from server (AlreadyExists): ${pluralLabel(id.kind)} "${id.name}" already exists`);
    putObject(io.stateDir, { ...id, manifest, step: io.step });
    stdout += `${resourceLabel(id.kind)}/${id.name} created\n`;
  }
  return ok(stdout);
}

/**
 * A Deployment's pod template is what a rollout rolls: an apply that changes it records the
 * previous one, so `rollout undo` can go back.
 * @param {{ manifest: Manifest, history?: Manifest[] } | undefined} existing
 * @param {Manifest} manifest
 * @returns {Manifest[]}
 */
function historyAfter(existing, manifest) {
  const history = existing?.history ?? [];
  if (!existing || manifest.kind !== "Deployment") return history;
  const template = (/** @type {Manifest} */ m) => JSON.stringify(/** @type {Record<string, unknown>} */ (m.spec ?? {}).template ?? null);
  return template(existing.manifest) === template(manifest) ? history : [...history, existing.manifest];
}

/**
 * `label --local -f … -o yaml k=v…`: the objects with the labels added, printed, nothing stored.
 * @param {string[]} words
 * @param {ParsedArgs} parsed
 * @param {ToolIO} io
 * @returns {ToolResult}
 */
function label(words, parsed, io) {
  if (!hasFlag(parsed, "--local")) return ok();
  const loaded = loadManifests(parsed, io);
  if ("error" in loaded) return fail(loaded.error);
  /** @type {Record<string, string>} */
  const labels = {};
  for (const word of words) {
    const eq = word.indexOf("=");
    if (eq <= 0) return fail(`error: invalid label spec: ${word}`);
    labels[word.slice(0, eq)] = word.slice(eq + 1);
  }
  const labelled = loaded.manifests.map((m) => {
    const metadata = metadataOf(m);
    return { ...m, metadata: { ...metadata, labels: { .../** @type {Record<string, string>} */ (metadata.labels ?? {}), ...labels } } };
  });
  return printObjects(labelled, flagValue(parsed, "-o", "--output"), labelled.length === 1);
}

/**
 * Validates every manifest before storing any, as kubectl builds all objects before applying.
 * @param {ParsedArgs} parsed
 * @param {ToolIO} io
 * @param {string | undefined} namespaceFlag
 * @returns {ToolResult}
 */
function apply(parsed, io, namespaceFlag) {
  const hasSource = hasFlag(parsed, "-f", "--filename");
  if (!hasSource) return hasFlag(parsed, "-k", "--kustomize") ? ok() : fail("error: must specify one of -f and -k");
  const loaded = loadManifests(parsed, io);
  if ("error" in loaded) return fail(loaded.error);
  if (loaded.manifests.length === 0) return fail("error: no objects passed to apply");
  const identified = [];
  for (const manifest of loaded.manifests) {
    const id = identify(manifest, namespaceFlag);
    if ("error" in id) return fail(id.error);
    identified.push({ id, manifest });
  }
  const dryRun = isDryRun(parsed);
  const lines = identified.map(({ id, manifest }) => {
    const label = `${resourceLabel(id.kind)}/${id.name}`;
    if (dryRun) return `${label} created (dry run)`;
    const existing = getObject(io.stateDir, id.kind, id.namespace, id.name);
    if (existing && JSON.stringify(existing.manifest) === JSON.stringify(manifest)) return `${label} unchanged`;
    putObject(io.stateDir, { ...id, manifest, step: io.step, history: historyAfter(existing, manifest) });
    return `${label} ${existing ? "configured" : "created"}`;
  });
  return ok(lines.map((line) => `${line}\n`).join(""));
}

/**
 * Turns `secret NAME…`, `secret/NAME…` or `deployments` into lookups.
 * @param {string[]} words
 * @param {string[]} knownKinds
 * @returns {Array<{ kind: string, name?: string }>}
 */
function targets(words, knownKinds) {
  if (words[0]?.includes("/")) {
    return words.map((word) => {
      const slash = word.indexOf("/");
      return { kind: canonicalKind(word.slice(0, slash), knownKinds), name: word.slice(slash + 1) };
    });
  }
  const [kindWord = "", ...names] = words;
  if (kindWord.includes(",")) return kindWord.split(",").map((k) => ({ kind: canonicalKind(k, knownKinds) }));
  const kind = canonicalKind(kindWord, knownKinds);
  return names.length === 0 ? [{ kind }] : names.map((name) => ({ kind, name }));
}

/**
 * `-l a=b,c`: every term an equality or an existence test, as kubectl's label selectors.
 * @param {string | undefined} selector
 * @returns {(m: Manifest) => boolean}
 */
function matchesSelector(selector) {
  if (!selector) return () => true;
  const terms = selector.split(",").map((t) => (t.includes("=") ? [t.slice(0, t.indexOf("=")), t.slice(t.indexOf("=") + 1)] : [t, undefined]));
  return (m) => {
    const labels = /** @type {Record<string, string>} */ (metadataOf(m).labels ?? {});
    return terms.every(([key = "", value]) => (value === undefined ? Object.hasOwn(labels, key) : labels[key] === value));
  };
}

/**
 * @param {string[]} words
 * @param {ParsedArgs} parsed
 * @param {ToolIO} io
 * @param {string | undefined} namespaceFlag
 * @returns {ToolResult}
 */
function get(words, parsed, io, namespaceFlag) {
  if (words.length === 0) return fail("error: You must specify the type of resource to get.");
  const namespace = namespaceFlag ?? "default";
  const allNamespaces = hasFlag(parsed, "-A", "--all-namespaces");
  const stored = listObjects(io.stateDir);
  const inScope = (/** @type {{ namespace: string }} */ o) => allNamespaces || o.namespace === "" || o.namespace === namespace;
  if (words[0] === "all") {
    const workloads = stored.filter((o) => inScope(o) && !["Secret", "ConfigMap", "Namespace"].includes(o.kind));
    if (workloads.length === 0) return { exitCode: 0, stdout: "", stderr: `No resources found in ${namespace} namespace.\n` };
    return printObjects(workloads.map((o) => o.manifest), flagValue(parsed, "-o", "--output"), false);
  }
  const wanted = targets(words, stored.map((o) => o.kind));
  /** @type {Manifest[]} */
  const found = [];
  /** @type {string[]} */
  const missing = [];
  for (const target of wanted) {
    if (target.name === undefined) {
      found.push(...stored.filter((o) => o.kind === target.kind && inScope(o)).map((o) => o.manifest));
      continue;
    }
    const object = getObject(io.stateDir, target.kind, isClusterScoped(target.kind) ? "" : namespace, target.name);
    if (object) found.push(object.manifest);
    else missing.push(`Error from server (NotFound): ${pluralLabel(target.kind)} "${target.name}" not found`);
  }
  const single = wanted.length === 1 && wanted[0]?.name !== undefined;
  const selected = found.filter(matchesSelector(flagValue(parsed, "-l", "--selector")));
  const printed = selected.length > 0 || !single ? printObjects(selected, flagValue(parsed, "-o", "--output"), single) : ok();
  if (missing.length === 0 || hasFlag(parsed, "--ignore-not-found")) return printed;
  return { exitCode: 1, stdout: printed.stdout, stderr: `${printed.stderr}${missing.join("\n")}\n` };
}

/**
 * @param {string[]} words
 * @param {ParsedArgs} parsed
 * @param {ToolIO} io
 * @param {string | undefined} namespaceFlag
 * @returns {ToolResult}
 */
function remove(words, parsed, io, namespaceFlag) {
  const ignoreMissing = hasFlag(parsed, "--ignore-not-found");
  /** @type {Array<{ kind: string, name: string, namespace: string }>} */
  const ids = [];
  if (hasFlag(parsed, "-f", "--filename")) {
    const loaded = loadManifests(parsed, io);
    if ("error" in loaded) return fail(loaded.error);
    for (const manifest of loaded.manifests) {
      const id = identify(manifest, namespaceFlag);
      if ("error" in id) return fail(id.error);
      ids.push(id);
    }
  } else {
    for (const target of targets(words, [])) {
      if (target.name === undefined) return fail("error: resource(s) were provided, but no name was specified");
      ids.push({ kind: target.kind, name: target.name, namespace: isClusterScoped(target.kind) ? "" : namespaceFlag ?? "default" });
    }
  }
  let stdout = "";
  let stderr = "";
  for (const id of ids) {
    if (removeObject(io.stateDir, id.kind, id.namespace, id.name)) stdout += `${resourceLabel(id.kind)} "${id.name}" deleted\n`;
    else if (!ignoreMissing) stderr += `Error from server (NotFound): ${pluralLabel(id.kind)} "${id.name}" not found\n`;
  }
  return { exitCode: stderr ? 1 : 0, stdout, stderr };
}

/**
 * Rollouts always succeed unless a fail rule says otherwise: the harness has no pods to wait for.
 * @param {string[]} words
 * @param {ToolIO} io
 * @param {string | undefined} namespaceFlag
 * @returns {ToolResult}
 */
function rollout(words, io, namespaceFlag) {
  const [action = "", ...rest] = words;
  const refs = rest[0]?.includes("/") ? rest : rest.length >= 2 ? rest.slice(1).map((name) => `${rest[0]}/${name}`) : [];
  if (refs.length === 0) return fail("error: required resource not specified");
  const named = refs.map((ref) => {
    const slash = ref.indexOf("/");
    return { kind: canonicalKind(ref.slice(0, slash)), name: ref.slice(slash + 1) };
  });
  if (action === "undo") {
    for (const t of named) {
      const stored = getObject(io.stateDir, t.kind, namespaceFlag ?? "default", t.name);
      if (!stored) return fail(`Error from server (NotFound): ${pluralLabel(t.kind)} "${t.name}" not found`);
      const history = stored.history ?? [];
      const previous = history[history.length - 1];
      if (!previous) return fail(`error: no rollout history found for ${t.kind.toLowerCase()} "${t.name}"`);
      putObject(io.stateDir, { ...stored, manifest: previous, history: history.slice(0, -1), step: io.step });
    }
  }
  const line = (/** @type {{ kind: string, name: string }} */ t) => {
    if (action === "status") return `${t.kind.toLowerCase()} "${t.name}" successfully rolled out`;
    if (action === "restart") return `${resourceLabel(t.kind)}/${t.name} restarted`;
    if (action === "undo") return `${resourceLabel(t.kind)}/${t.name} rolled back`;
    return "";
  };
  return ok(named.map(line).filter(Boolean).map((l) => `${l}\n`).join(""));
}

/** @type {import("./result.mjs").ToolHandler} */
export function kubectl(args, io) {
  const parsed = parseArgs(args, VALUE_FLAGS);
  if (flagMissingValue(parsed, "-n", "--namespace")) return fail("error: flag needs an argument: 'n' in -n");
  const namespaceFlag = flagValue(parsed, "-n", "--namespace");
  const [verb = "", ...words] = parsed.positional;
  switch (verb) {
    case "create":
      return create(words, parsed, io, namespaceFlag);
    case "apply":
      return apply(parsed, io, namespaceFlag);
    case "get":
      return get(words, parsed, io, namespaceFlag);
    case "delete":
      return remove(words, parsed, io, namespaceFlag);
    case "rollout":
      return rollout(words, io, namespaceFlag);
    case "label":
      return label(words, parsed, io);
    default:
      return ok();
  }
}

/**
 * Only `-f -` reads stdin; reading it otherwise could block on an inherited terminal.
 * @param {string[]} args
 */
export function kubectlReadsStdin(args) {
  return flagValues(parseArgs(args, VALUE_FLAGS), "-f", "--filename").includes("-");
}

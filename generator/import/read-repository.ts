/**
 * The repository's manifests -> what the workflows do not say: the Deployments in each service
 * folder, the secret groups each folder's manifests read, its cronjob and job files, the
 * variables it uses, and evidence of dependencies (a container env value or argument naming
 * another folder's Kubernetes Service, with its file and line). Pure over RepoFiles.
 */
import { parseManifest, containersOf, type ManifestDoc } from "../audit/manifests.ts";
import { joinPath, type RepoFiles } from "../audit/repo-files.ts";

export interface Located {
  file: string;
  line: number;
}

export interface FolderFacts {
  folder: string;
  deployments: ({ name: string } & Located)[];
  /** Kubernetes Service names defined in the folder. */
  kubernetesServices: string[];
  /** Secret groups read (`secretKeyRef`, `envFrom.secretRef`), sorted, with the keys read. */
  secrets: Map<string, Set<string>>;
  cronjobs: string[];
  jobs: string[];
  /** `${VAR}` names used by the folder's manifests. */
  variables: string[];
  /** Values naming a Kubernetes Service: `http://identity-service`, `redis://redis:6379`, … */
  references: ({ host: string; text: string } & Located)[];
}

export interface RepositoryFacts {
  folders: Map<string, FolderFacts>;
  /** Deployment name -> folder. */
  deploymentFolder: Map<string, string>;
  /** Kubernetes Service name -> folder. */
  serviceFolder: Map<string, string>;
}

/** Folders of the manifests root, each read; undefined when the root does not exist. */
export function readRepository(files: RepoFiles, manifestsRoot: string): RepositoryFacts | undefined {
  const entries = files.list(manifestsRoot);
  if (!entries.length) return undefined;
  const folders = new Map<string, FolderFacts>();
  const deploymentFolder = new Map<string, string>();
  const serviceFolder = new Map<string, string>();
  for (const e of entries.filter((x) => x.directory)) {
    const dir = joinPath(manifestsRoot, e.name);
    const facts: FolderFacts = { folder: e.name, deployments: [], kubernetesServices: [], secrets: new Map(), cronjobs: [], jobs: [], variables: [], references: [] };
    const yamlIn = (d: string): string[] => files.list(d).filter((x) => !x.directory && /\.ya?ml$/.test(x.name)).map((x) => x.name);
    facts.cronjobs = yamlIn(joinPath(dir, "cronjobs")).map((f) => f.replace(/\.ya?ml$/, ""));
    facts.jobs = yamlIn(joinPath(dir, "jobs")).map((f) => f.replace(/\.ya?ml$/, ""));
    const manifestFiles = [...yamlIn(dir).map((f) => joinPath(dir, f)), ...facts.cronjobs.map((c) => joinPath(dir, "cronjobs", `${c}.yaml`)), ...facts.jobs.map((j) => joinPath(dir, "jobs", `${j}.yaml`))];
    const variables = new Set<string>();
    for (const file of manifestFiles) {
      const text = files.read(file) ?? files.read(file.replace(/\.yaml$/, ".yml"));
      if (text === undefined) continue;
      for (const m of text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)) variables.add(m[1]!);
      let manifest;
      try {
        manifest = parseManifest(file, text);
      } catch {
        continue; // an alias bomb or a document yaml refuses: the audit reports the file
      }
      for (const doc of manifest.docs) readDoc(doc, file, facts);
    }
    facts.variables = [...variables].sort();
    for (const d of facts.deployments) if (!deploymentFolder.has(d.name)) deploymentFolder.set(d.name, e.name);
    for (const s of facts.kubernetesServices) if (!serviceFolder.has(s)) serviceFolder.set(s, e.name);
    folders.set(e.name, facts);
  }
  return { folders, deploymentFolder, serviceFolder };
}

/** Hosts named by a value: after `://` or `@`, or the whole value, ending at a port, path or `.svc` domain. */
const HOST = /(?:^|:\/\/|@)([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)(?=$|[:/]|\.[a-z0-9-]+\.svc\b|\.svc\b)/g;

function readDoc(doc: ManifestDoc, file: string, facts: FolderFacts): void {
  if (doc.kind === "Deployment" && doc.name && !facts.deployments.some((d) => d.name === doc.name)) facts.deployments.push({ name: doc.name, file, line: doc.lineAt(["metadata", "name"]) });
  if (doc.kind === "Service" && doc.name) facts.kubernetesServices.push(doc.name);
  for (const { path, container } of containersOf(doc)) {
    const env = Array.isArray(container.env) ? (container.env as Record<string, unknown>[]) : [];
    env.forEach((v, i) => {
      const ref = (v?.valueFrom as { secretKeyRef?: { name?: unknown; key?: unknown } } | undefined)?.secretKeyRef;
      if (typeof ref?.name === "string") addSecret(facts, ref.name, typeof ref.key === "string" ? ref.key : undefined);
      if (typeof v?.value === "string") reference(facts, v.value, file, doc.lineAt([...path, "env", i, "value"]));
    });
    const envFrom = Array.isArray(container.envFrom) ? (container.envFrom as Record<string, unknown>[]) : [];
    for (const f of envFrom) {
      const name = (f?.secretRef as { name?: unknown } | undefined)?.name;
      if (typeof name === "string") addSecret(facts, name, undefined);
    }
    for (const field of ["args", "command"]) {
      const list = container[field];
      if (Array.isArray(list)) list.forEach((a, i) => typeof a === "string" && reference(facts, a, file, doc.lineAt([...path, field, i])));
    }
  }
}

function addSecret(facts: FolderFacts, group: string, key: string | undefined): void {
  const keys = facts.secrets.get(group) ?? new Set<string>();
  if (key) keys.add(key);
  facts.secrets.set(group, keys);
}

function reference(facts: FolderFacts, value: string, file: string, line: number): void {
  for (const m of value.matchAll(HOST)) facts.references.push({ host: m[1]!, text: value, file, line });
}

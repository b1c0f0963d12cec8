/**
 * Everything the audit checks share: the registry, the plans, what the generated workflows apply
 * and render in each environment, the parsed manifests (each parsed once), and where things are
 * declared in the registry's source, so a finding about a service points at its line.
 */
import { parse } from "yaml";
import { workflowFacts } from "../check/workflow-facts.ts";
import { dataFileOf } from "../render/support-paths.ts";
import { type DeployData, parseDeployData } from "../runner/data.ts";
import { type DeployPlan, manifestEntryMatches, planAll } from "../plan/plan.ts";
import { escapeRegExp as escape, lineOfTokens } from "../config/source-lines.ts";
import type { Registry, Service } from "../config/registry.ts";
import { type ManifestFile, parseManifest } from "./manifests.ts";
import type { FixCommand } from "../check/user-command.ts";
import { isManifestFile, joinPath, type RepoFiles } from "./repo-files.ts";

export interface AuditInput {
  registry: Registry;
  /** The registry as named in findings, e.g. `services.config.ts`. */
  configFile: string;
  /** The registry's source text, to point findings at a line; optional. */
  configText?: string;
  /** The workflows the registry generates (not the committed ones: `--check` covers those). */
  workflows: readonly { path: string; environment: string; content: string }[];
  files: RepoFiles;
  /** How this repository runs the tool, for fixes that name a command; default `pnpm gen:workflows`. */
  fixCommand?: FixCommand;
}

export interface AuditContext extends AuditInput {
  plans: DeployPlan[];
  manifestsRoot: string;
  /** Deployed services by manifests folder (repository-relative, no trailing `/`). */
  serviceByDir: Map<string, Service>;
  /** Environments whose workflow applies the file (itself, or its folder with `-f dir/`). */
  appliedIn(path: string): string[];
  /** Environments whose envsubst step renders the file before it is applied. */
  renderedIn(path: string): string[];
  /** Local files and folders (`dir/`) applied by any generated workflow. */
  appliedTargets: Set<string>;
  manifest(path: string): ManifestFile | undefined;
  /** The manifests the workflows apply for deployed services (folder top level, registered cronjobs and jobs), with their service. */
  serviceManifests: { file: string; service: Service }[];
  ignored(path: string): boolean;
  /** Line of the registry source where `tokens` appear in this order (e.g. a secret group, then a key). */
  registryLine(...tokens: (string | RegExp)[]): number | undefined;
  /** Line of a service's `name: "<service>"` in the registry source, or of a token after it. */
  serviceLine(service: string, ...tokens: string[]): number | undefined;
}

export const dirOf = (path: string): string => (path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "");

export function auditContext(input: AuditInput): AuditContext {
  const plans = planAll(input.registry);
  const manifestsRoot = input.registry.project.manifestsRoot ?? "infra/k8s";
  const serviceByDir = new Map<string, Service>();
  for (const s of input.registry.services) if (plans.some((p) => p.phases.some((ph) => ph.units.some((u) => u.service === s.name)))) serviceByDir.set(joinPath(manifestsRoot, s.manifests ?? s.name), s);

  // The runner's data files are read with the workflow of their environment; they apply nothing themselves.
  const dataOf = (workflowFile: string): DeployData | undefined => {
    const file = input.workflows.find((f) => f.path === dataFileOf({ workflowFile }));
    return file ? parseDeployData(file.content) : undefined;
  };
  const appliedByEnv = input.workflows.filter((w) => /\.ya?ml$/.test(w.path)).map((w) => {
    let facts;
    try {
      facts = workflowFacts(parse(w.content), dataOf(w.path));
    } catch {
      facts = undefined; // generated text always parses; a bug here must not hide the other findings
    }
    return { environment: w.environment, targets: new Set((facts?.applies ?? []).map((a) => a.target.replace(/^\.\//, ""))) };
  });
  const appliedTargets = new Set(appliedByEnv.flatMap((a) => [...a.targets].filter((t) => !/^[a-z]+:\/\//.test(t) && !t.includes("$"))));
  const appliedIn = (path: string): string[] =>
    appliedByEnv.filter((a) => a.targets.has(path) || a.targets.has(`${dirOf(path)}/`) || a.targets.has(dirOf(path))).map((a) => a.environment);
  const renderedIn = (path: string): string[] =>
    plans
      .filter((p) => p.manifestFiles.some((f) => manifestEntryMatches(f, path)))
      .map((p) => p.environment);

  const cache = new Map<string, ManifestFile | undefined>();
  const manifest = (path: string): ManifestFile | undefined => {
    if (!cache.has(path)) {
      const text = input.files.read(path);
      cache.set(path, text === undefined ? undefined : parseManifest(path, text));
    }
    return cache.get(path);
  };
  const ignoredPaths = (input.registry.project.auditIgnore ?? []).map((p) => p.replace(/\/+$/, ""));
  const ignored = (path: string): boolean => ignoredPaths.some((i) => path === i || path.startsWith(`${i}/`));

  const serviceManifests = [...serviceByDir]
    .filter(([dir]) => !ignored(dir))
    .flatMap(([dir, service]) => [
      ...input.files
        .list(dir)
        .filter((e) => !e.directory && isManifestFile(e.name))
        .map((e) => `${dir}/${e.name}`),
      ...(service.cronjobs ?? []).map((c) => `${dir}/cronjobs/${c.name}.yaml`),
      ...(service.jobs ?? []).map((j) => `${dir}/jobs/${j.name}.yaml`),
    ].filter((file) => input.files.exists(file)).map((file) => ({ file, service })));

  return {
    ...input,
    serviceManifests,
    plans,
    manifestsRoot,
    serviceByDir,
    appliedIn,
    renderedIn,
    appliedTargets,
    manifest,
    ignored,
    registryLine: (...tokens) => (input.configText === undefined ? undefined : lineOfTokens(input.configText, tokens)),
    serviceLine: (service, ...tokens) =>
      input.configText === undefined ? undefined : lineOfTokens(input.configText, [new RegExp(`name\\s*:\\s*(["'\`])${escape(service)}\\1`, "g"), ...tokens]),
  };
}

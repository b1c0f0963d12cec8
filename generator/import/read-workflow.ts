/**
 * One hand-written deploy workflow -> the facts the registry needs (what is built with which
 * build arguments, which secrets are created, what is deployed in which order), each with the
 * file line it came from. Everything the reader does not understand becomes a diagnostic with
 * its file:line; nothing is dropped silently. Pure: the caller passes the text and a folder lister.
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair, type YAMLMap } from "yaml";
import { error, warning } from "../diagnostics.ts";
import type { AzureLogin } from "../config/registry.ts";
import type { ImportDiagnostic } from "./findings.ts";
import type { RepositoryFacts } from "./read-repository.ts";
import { applyTargets, GUARD_MESSAGE, isExistenceGuard, RECOGNIZED_MESSAGES, recognize } from "./recognize.ts";
import { type ExecutedCommand, execute, normalizeExpression, type ScriptEvents, substituteExpressions } from "./shell-script.ts";
import { byCodeUnit } from "../sort-order.ts";
import { plainEnv, readJobKeys, readStepKeys, runDefaults } from "./job-keys.ts";

export interface Located {
  line: number;
}

export interface DeployedService extends Located {
  name: string;
  manifestsDir: string;
  deployment?: string;
  timeoutSeconds?: number;
  /** CronJob names, with the line that applies each. */
  cronjobs: ({ name: string; schedule?: string } & Located)[];
  jobs: ({ name: string } & Located)[];
  /** Lines where a failure of this service's apply or rollout is swallowed (`|| true`). */
  swallowed: number[];
  /** Deployments of this service's folder whose rollout the workflow awaits, in order. */
  awaited: string[];
}

export interface WorkflowFacts {
  /** As shown in messages. */
  file: string;
  name?: string;
  branch?: string;
  githubEnvironment?: string;
  jobIds: ({ id: string } & Located)[];
  builds: ({ name: string; path: string } & Located)[];
  /** Raw build-argument values per service, e.g. `https://api.x/api` or `${{ secrets.X }}`. */
  buildArgs: Record<string, ({ name: string; value: string } & Located)[]>;
  imageTags: string[];
  versionFile?: string;
  sentry?: { services: string[]; organization?: string; authTokenSecret?: string; environment?: string; releaseSuffix?: string } & Located;
  secretGroups: ({ name: string; keys: ({ key: string; secret: string } & Located)[] } & Located)[];
  manifestVariables: ({ name: string; value: string } & Located)[];
  namespace?: string;
  containerRegistry: { nameSecret?: string; loginServerSecret?: string };
  cluster: { resourceGroupSecret?: string; nameSecret?: string };
  azureLogin?: AzureLogin & Located;
  manifestsRoot: string;
  /** Deploy phases in order: services applied together, then awaited. */
  phases: string[][];
  deployed: Record<string, DeployedService>;
  ingress?: { path: string } & Located;
  /** Cluster steps the templates already do, by normalized command text. */
  templateCovered: ({ command: string } & Located)[];
  diagnostics: ImportDiagnostic[];
  /** Script lines the reading accounted for: mapped, reported, or shell structure (keywords, branches not taken). */
  accounted: Set<number>;
  /** The file is not a workflow the import can read at all (invalid YAML, an alias bomb, not a mapping). */
  unreadable?: boolean;
}

export interface ReadContext {
  /** Lists the YAML files of a folder relative to the repository root (for cronjob folders). */
  listYamlFiles(relativeDir: string): string[] | undefined;
  /** Reads a file relative to the repository root (for cronjob schedules). */
  readFile(relativePath: string): string | undefined;
  /** Normalized command lines of the deploy templates; a step made of them is already generated. */
  templateCommands: ReadonlySet<string>;
  /** The manifests, when the repository was read: which folder defines which Deployment. */
  repository?: RepositoryFacts;
}

const SECRET = /^\$\{\{ secrets\.([A-Za-z_][A-Za-z0-9_]*) \}\}$/;

export function secretName(value: string): string | undefined {
  return SECRET.exec(value.trim())?.[1];
}

export function normalizeCommand(words: readonly string[]): string {
  return words.join(" ").replace(/\s+/g, " ").trim();
}

export function readWorkflow(text: string, file: string, ctx: ReadContext): WorkflowFacts {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const lineOf = (node: unknown): number => {
    const range = (node as Node | undefined)?.range;
    return range ? lineCounter.linePos(range[0]).line : 1;
  };
  const facts: WorkflowFacts = {
    file,
    jobIds: [],
    builds: [],
    buildArgs: {},
    imageTags: [],
    secretGroups: [],
    manifestVariables: [],
    containerRegistry: {},
    cluster: {},
    manifestsRoot: "infra/k8s",
    phases: [],
    deployed: {},
    templateCovered: [],
    diagnostics: [],
    accounted: new Set(),
  };
  const unmappable = (line: number, message: string, fix?: string): void => {
    facts.diagnostics.push(error("IMPORT_UNMAPPABLE", message, { file, line, fix: fix ?? "carry it over by hand (templates/deploy/ for cluster steps), or remove it" }));
  };
  const notCarried = (line: number, message: string, kind?: string, detail?: string): void => {
    facts.diagnostics.push({ ...warning("IMPORT_NOT_CARRIED_OVER", message, { file, line }), ...(kind ? { kind } : {}), ...(detail ? { detail } : {}) });
  };
  if (doc.errors.length) {
    for (const e of doc.errors) unmappable(lineCounter.linePos(e.pos[0]).line, `not valid YAML: ${e.message.split("\n")[0]}`, "fix the YAML first");
    facts.unreadable = true;
    return facts;
  }
  try {
    // Expands every alias once, within the yaml library's limit, before any part is read.
    doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    unmappable(1, `the YAML cannot be read: ${(e as Error).message}`, "write the workflow without YAML alias chains");
    facts.unreadable = true;
    return facts;
  }
  // An alias (`steps: *common`, `- *checkout`) stands for its anchor's node: read that.
  const deref = <T>(node: T): T => (isAlias(node) ? (node.resolve(doc) as T) : node);
  const root = doc.contents;
  if (!isMap(root)) {
    unmappable(1, "not a workflow: the document is not a mapping");
    facts.unreadable = true;
    return facts;
  }
  const js = doc.toJS() as Record<string, any>;
  facts.name = typeof js.name === "string" ? js.name : undefined;
  const push = js.on?.push;
  plainEnv(js, root, "the workflow", lineOf, unmappable);
  // `branches: main` is one branch, as GitHub reads it.
  const branches = typeof push?.branches === "string" ? [push.branches] : push?.branches;
  if (Array.isArray(branches) && typeof branches[0] === "string") {
    facts.branch = branches[0];
    if (branches.length > 1) unmappable(lineOf(doc.getIn(["on", "push", "branches", 1], true)), `more than one branch deploys (${branches.join(", ")}); the registry has one branch per environment`);
  }
  const workflowEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries((js.env ?? {}) as Record<string, unknown>)) workflowEnv[`env.${k}`] = String(v);

  const workflowDefaults = runDefaults(root, {}, lineOf);
  const jobs = deref(root.get("jobs", true));
  if (!isMap(jobs)) {
    unmappable(1, "the workflow has no jobs");
    return facts;
  }
  const events: { cmd: ExecutedCommand; stepLine: number }[] = [];
  for (const jobPair of jobs.items as Pair<Node, Node>[]) {
    const id = String((jobPair.key as { value?: unknown }).value);
    const job = deref(jobPair.value);
    facts.jobIds.push({ id, line: lineOf(jobPair.key) });
    if (!isMap(job)) {
      unmappable(lineOf(jobPair.key), `job "${id}" is not a mapping`, "give the job runs-on and steps, or remove it");
      continue;
    }
    const jobJs = job.toJS(doc) as Record<string, any>;
    plainEnv(jobJs, job, `job "${id}"`, lineOf, unmappable);
    const jobEnv: Record<string, string> = { ...workflowEnv };
    for (const [k, v] of Object.entries((jobJs.env ?? {}) as Record<string, unknown>)) jobEnv[`env.${k}`] = String(v);
    const environment = typeof jobJs.environment === "string" ? jobJs.environment : jobJs.environment?.name;
    if (typeof environment === "string") facts.githubEnvironment ??= environment;
    const matrixNode = deref(job.getIn(["strategy", "matrix"], true));
    const steps = deref(job.get("steps", true));
    if (!isSeq(steps)) {
      const called = job.get("uses");
      unmappable(lineOf(jobPair.key), typeof called === "string" ? `job "${id}" calls the reusable workflow ${called}; the importer reads the steps of this file only` : `job "${id}" has no steps the importer can read`, typeof called === "string" ? "import the called workflow's steps into this file, or carry the job over by hand" : undefined);
      continue;
    }
    readJobKeys(job, id, facts.branch, lineOf, unmappable, notCarried);
    const jobDefaults = runDefaults(job, workflowDefaults, lineOf);
    if (matrixNode !== undefined) readMatrix(matrixNode as Node, facts, lineOf, unmappable);
    for (const item of steps.items) {
      const stepNode = deref(item);
      if (!isMap(stepNode)) {
        unmappable(lineOf(item), `job "${id}" has a step that is not a mapping: ${String((stepNode as Node | null)?.toJSON?.() ?? stepNode)}`, "write the step as a mapping with name and run (or uses), or remove it");
        continue;
      }
      // toJS with the document resolves aliases inside the step (`run: *script`).
      const step = stepNode.toJS(doc) as Record<string, any>;
      const stepLine = lineOf(stepNode);
      const label = `step "${step.name ?? step.uses ?? "(unnamed)"}"`;
      plainEnv(step, stepNode, label, lineOf, unmappable);
      if (!readStepKeys(stepNode, label, jobDefaults, /\bsentry-cli\b/.test(String(step.run)), lineOf, unmappable, notCarried)) continue;
      if (typeof step.uses === "string") {
        readUsesStep(step, stepNode, stepLine, label, facts, lineOf, unmappable, notCarried);
        continue;
      }
      if (typeof step.run !== "string") {
        unmappable(stepLine, `${label} has neither run nor uses`);
        continue;
      }
      const runNode = deref(stepNode.get("run", true)) as Node;
      const block = isScalar(runNode) && (runNode.type === "BLOCK_LITERAL" || runNode.type === "BLOCK_FOLDED");
      const firstLine = lineOf(runNode) + (block ? 1 : 0);
      const stepEnv: Record<string, string> = { ...jobEnv };
      for (const [k, v] of Object.entries((step.env ?? {}) as Record<string, unknown>)) stepEnv[`env.${k}`] = String(v);
      const runText = substituteExpressions(step.run, stepEnv);
      // `if: false` is a YAML boolean, still a condition.
      const ifText = step.if === undefined || step.if === null ? undefined : String(step.if);
      const uses = (re: RegExp): boolean => re.test(runText);

      if (uses(/\bdocker\s+build\b/)) {
        readBuildStep(runText, firstLine, stepEnv, facts, unmappable);
        if (ifText) unmappable(stepLine, `${label} runs only if ${ifText}; the generated build runs for every matrix entry`);
        continue;
      }
      if (uses(/\bsentry-cli\b/)) {
        readSentryStep(step, runText, firstLine, stepLine, facts, unmappable);
        continue;
      }
      const executed = execute(runText, firstLine, shellSeed(stepEnv));
      for (const l of executed.accounted) facts.accounted.add(l);
      const assumed = new Map<number, string[]>();
      for (const a of executed.assumptions) assumed.set(a.line, [...(assumed.get(a.line) ?? []), a.text]);
      for (const [line, conds] of assumed)
        facts.diagnostics.push(
          warning("IMPORT_ASSUMPTION", `file test${conds.length > 1 ? ` (${conds.length} loop iterations)` : ""} "${conds[0]}" assumed true: the generated workflow applies the folder of every registered service unconditionally`, { file, line }),
        );
      const renders = executed.commands.some((c) => c.words[0] === "envsubst");
      for (const e of executed.exports) if (renders) facts.manifestVariables.push({ name: e.name, value: e.value, line: e.line });
      if (renders) for (const [k, v] of Object.entries((step.env ?? {}) as Record<string, unknown>)) facts.manifestVariables.push({ name: k, value: String(v), line: stepLine });

      // Commands nothing maps; with an `if:` on the step they are reported once, with the condition.
      const unmapped: ExecutedCommand[] = [];
      let deploys = false;
      const guards = new Map<number, string>();
      const before = facts.diagnostics.length;
      for (const cmd of executed.commands) {
        const existence = cmd.guard && isExistenceGuard(cmd.guard.text) ? cmd.guard : undefined;
        if (existence) guards.set(existence.line, existence.text);
        if (ctx.templateCommands.has(normalizeCommand(cmd.words))) {
          facts.templateCovered.push({ command: normalizeCommand(cmd.words), line: cmd.line });
          continue;
        }
        const known = recognize(cmd) ?? (existence && CLUSTER_COMPONENT.test(existence.text) ? recognizeAsPrerequisite() : undefined);
        if (known) {
          // The existence check of an install-if-absent guard is reported with the guard.
          if (known.verdict !== "control" && !(cmd.inCondition && existence)) notCarried(cmd.line, known.message, known.kind, cmd.words.join(" "));
          continue;
        }
        if (cmd.words[0] === "sed" && readSed(cmd, facts, unmappable)) continue;
        if (cmd.onFailureOf !== undefined) {
          unmappable(cmd.line, `runs only when the command at line ${cmd.onFailureOf} fails: ${cmd.words.join(" ")}`, "the generated deploy stops at the first failure and names it; carry a clean-up over by hand (templates/deploy/post-deploy.yml) if you need one");
          continue;
        }
        if (cmd.heredoc) {
          unmappable(cmd.line, `applies or writes an inline file (heredoc): ${[cmd.words, ...cmd.pipedTo].map((p) => p.join(" ")).join(" | ")}`, "commit the file as a manifest in the service's folder, or move the step to templates/deploy/");
          continue;
        }
        if (readDeployCommand(cmd, facts, unmappable)) {
          if (cmd.swallowed) notCarried(cmd.line, SWALLOWED_MESSAGE, "swallowed-failure", cmd.words.join(" "));
          continue;
        }
        if (cmd.words[0] === "kubectl" && (cmd.words[1] === "apply" || cmd.words[1] === "rollout")) {
          deploys = true;
          events.push({ cmd, stepLine });
        } else unmapped.push(cmd);
      }
      for (const [line, text] of guards) notCarried(line, GUARD_MESSAGE, "install-if-absent", text);
      for (const sub of executed.substitutions) readSubstitution(sub, notCarried);
      readUnknowns(executed, label, facts.diagnostics.slice(before), unmappable, notCarried);
      if (ifText && (unmapped.length || deploys)) {
        const what = unmapped.length ? `: ${[...new Set(unmapped.map((c) => c.words.slice(0, 3).join(" ")))].join("; ")}` : "";
        unmappable(stepLine, `${label} runs only if ${ifText}${what}`, "the generated deploy has no conditional steps: carry it over by hand (templates/deploy/post-deploy.yml runs after every deploy)");
      } else {
        // One finding per line and program: a loop calling curl for three URLs is one construct.
        const byLine = new Map<string, ExecutedCommand[]>();
        for (const cmd of unmapped) byLine.set(`${cmd.line} ${cmd.words[0]}`, [...(byLine.get(`${cmd.line} ${cmd.words[0]}`) ?? []), cmd]);
        for (const list of byLine.values())
          unmappable(list[0]!.line, `command the importer cannot map: ${list[0]!.words.join(" ")}${list.length > 1 ? ` (and ${list.length - 1} more run${list.length > 2 ? "s" : ""} of ${list[0]!.words[0]} on this line)` : ""}`);
      }
    }
  }
  buildDeployOrder(events.map((e) => ({ cmd: e.cmd })), facts, ctx, unmappable);
  dedupe(facts);
  return facts;
}

/** The step's `env:` as shell variables (`env.X` keys as `X`), expressions normalized. */
function shellSeed(stepEnv: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(stepEnv).map(([k, v]) => [k.replace(/^env\./, ""), v.replace(/\$\{\{[^}]*\}\}/g, (e) => normalizeExpression(e))]));
}

/**
 * Undecidable conditions and syntax errors. A test of a secret (`[ -z "$(kubectl get secret …)" ]`,
 * `[ -z "${!name}" ]`) or an existence check is done by the generated workflow; in a step that
 * checks secrets, its other conditions (counting what is missing) belong to that check.
 */
function readUnknowns(executed: ScriptEvents, label: string, stepFindings: readonly ImportDiagnostic[], unmappable: Report, notCarried: NotCarried): void {
  const isSecretCheck = (text: string): boolean => /\$\(\s*kubectl\s+get\s+secrets?\b/.test(text) || /^\[\[? -[zn] \$\{!/.test(text);
  const checksSecrets = stepFindings.some((d) => d.kind === "secret-check") || executed.unknown.some((u) => isSecretCheck(u.expanded ?? u.text));
  for (const u of executed.unknown) {
    const text = u.expanded ?? u.text;
    if (isSecretCheck(text) || (checksSecrets && !u.message.startsWith("shell syntax error"))) notCarried(u.line, RECOGNIZED_MESSAGES.secretCheck, "secret-check", u.text);
    else if (/\$\(\s*kubectl\s+get\b/.test(text)) notCarried(u.line, GUARD_MESSAGE, "install-if-absent", u.text);
    else unmappable(u.line, `${label}: ${u.message}: ${u.text}`);
  }
}

/** The same finding at the same line (a function called twenty times) is reported once. */
function dedupe(facts: WorkflowFacts): void {
  const seen = new Set<string>();
  facts.diagnostics = facts.diagnostics.filter((d) => {
    const key = `${d.code}|${d.line}|${d.message}|${d.kind ?? ""}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * `sed -i "s|\${VAR}|value|g" manifests`: a manifest variable set by rewriting, which the registry
 * says as manifestVariables. Any other rewrite cannot be expressed (envsubst renders `${VAR}` only).
 */
function readSed(cmd: ExecutedCommand, facts: WorkflowFacts, unmappable: Report): boolean {
  const script = cmd.words.slice(1).find((w) => /^s(.)/.test(w) && !w.startsWith("-"));
  const m = script ? /^s(.)(.*?)\1(.*?)\1g?$/.exec(script) : null;
  const variable = m ? /^\\?\$\\?\{([A-Za-z_][A-Za-z0-9_]*)\\?\}$/.exec(m[2]!) : null;
  if (m && variable && !/[\\$]/.test(m[3]!.replace(/\$\{\{[^}]*\}\}/g, ""))) {
    facts.manifestVariables.push({ name: variable[1]!, value: m[3]!, line: cmd.line });
    return true;
  }
  unmappable(
    cmd.line,
    `rewrites manifests with sed (${script ?? cmd.words.slice(1).join(" ")}): the generated workflow renders manifests with envsubst, which replaces \${NAME} only`,
    m ? `write the placeholder as \${NAME} in the manifests and set NAME in the environment's manifestVariables` : undefined,
  );
  return true;
}

/** `X=$(…)`: a read-only kubectl query is not needed; the version file and the commit are mapped where they are used. */
function readSubstitution(s: ScriptEvents["substitutions"][number], notCarried: NotCarried): void {
  if (/^kubectl\s+get\s+secrets?\b/.test(s.command)) notCarried(s.line, RECOGNIZED_MESSAGES.secretCheck, "secret-check", s.command);
  else if (/^kubectl\s+(get|describe|logs)\b/.test(s.command)) notCarried(s.line, RECOGNIZED_MESSAGES.readOnly, "read-only", s.command);
}

type NotCarried = (line: number, message: string, kind?: string, detail?: string) => void;

const CLUSTER_COMPONENT = /ingress-nginx|cert-manager|jetstack/;
const SWALLOWED_MESSAGE = "ignores a failure with `|| true`: not carried over; the generated deploy fails on any error (the safe side)";
const recognizeAsPrerequisite = () => ({ verdict: "done" as const, kind: "cluster-prerequisite", message: RECOGNIZED_MESSAGES.clusterPrerequisite });
type LineOf = (node: unknown) => number;
type Report = (line: number, message: string, fix?: string) => void;

function readMatrix(matrixNode: Node, facts: WorkflowFacts, lineOf: LineOf, unmappable: Report): void {
  if (!isMap(matrixNode)) {
    unmappable(lineOf(matrixNode), "a matrix the importer cannot read (expected `service:` with a list)");
    return;
  }
  for (const pair of (matrixNode as YAMLMap<Node, Node>).items) {
    const key = String((pair.key as { value?: unknown }).value);
    const list = pair.value;
    if (key !== "service" || !isSeq(list)) {
      unmappable(lineOf(pair.key), `matrix key "${key}" is not mapped (only a \`service\` list is)`);
      continue;
    }
    for (const item of list.items) {
      const v = (item as Node).toJSON() as unknown;
      if (typeof v === "string") facts.builds.push({ name: v, path: "", line: lineOf(item) });
      else if (v && typeof v === "object" && typeof (v as any).name === "string") {
        const extra = Object.keys(v).filter((k) => k !== "name" && k !== "path");
        if (extra.length) unmappable(lineOf(item), `matrix entry "${(v as any).name}" has fields the registry does not know: ${extra.join(", ")}`);
        facts.builds.push({ name: (v as any).name, path: typeof (v as any).path === "string" ? (v as any).path : "", line: lineOf(item) });
      } else unmappable(lineOf(item), "a matrix entry without a name");
    }
  }
}

function readUsesStep(step: Record<string, any>, node: YAMLMap, line: number, label: string, facts: WorkflowFacts, lineOf: LineOf, unmappable: Report, notCarried: NotCarried): void {
  const action = String(step.uses).split("@")[0]!.toLowerCase();
  const w = (step.with ?? {}) as Record<string, unknown>;
  if (action === "actions/checkout") return;
  if (action === "azure/login") {
    const creds = typeof w.creds === "string" ? secretName(normalizeExpression(w.creds)) : undefined;
    const client = typeof w["client-id"] === "string" ? secretName(normalizeExpression(w["client-id"])) : undefined;
    const tenant = typeof w["tenant-id"] === "string" ? secretName(normalizeExpression(w["tenant-id"])) : undefined;
    const sub = typeof w["subscription-id"] === "string" ? secretName(normalizeExpression(w["subscription-id"])) : undefined;
    if (creds) facts.azureLogin ??= { method: "credentials", credentialsSecret: creds, line };
    else if (client && tenant && sub) facts.azureLogin ??= { method: "oidc", clientIdSecret: client, tenantIdSecret: tenant, subscriptionIdSecret: sub, line };
    else unmappable(lineOf(node.get("with", true)) || line, `${label}: azure/login inputs must be secrets (creds, or client-id + tenant-id + subscription-id)`);
    return;
  }
  if (["actions/setup-node", "pnpm/action-setup", "actions/cache", "docker/setup-buildx-action"].includes(action)) {
    notCarried(line, RECOGNIZED_MESSAGES.install, "tool-install", `${label} (${action})`);
    return;
  }
  unmappable(line, `${label} uses ${step.uses}, which the registry has no place for`);
}

/** Evaluates the build script once per matrix entry: its if/elif chain picks that entry's build arguments. */
function readBuildStep(runText: string, firstLine: number, stepEnv: Readonly<Record<string, string>>, facts: WorkflowFacts, unmappable: Report): void {
  const reported = new Set<string>();
  const once = (line: number, message: string): void => {
    if (!reported.has(`${line}:${message}`)) unmappable(line, message);
    reported.add(`${line}:${message}`);
  };
  for (const b of facts.builds) {
    const matrix = { "matrix.service.name": b.name, "matrix.service.path": b.path || `\${{ matrix.service.path }}`, "matrix.service": b.name };
    const text = substituteExpressions(runText, matrix);
    const seed = shellSeed(Object.fromEntries(Object.entries(stepEnv).map(([k, v]) => [k, substituteExpressions(v, matrix)])));
    const run = execute(text, firstLine, seed);
    for (const u of run.unknown) once(u.line, `build script: ${u.message}: ${u.text}`);
    const versionSub = run.substitutions.find((s) => /^cat\s+\S+$/.test(s.command));
    if (versionSub) facts.versionFile ??= versionSub.command.split(/\s+/)[1]!.replace(/^["']|["']$/g, "");
    const args: ({ name: string; value: string } & Located)[] = [];
    const tags: string[] = [];
    for (const cmd of run.commands) {
      const [tool, sub] = cmd.words;
      if (tool !== "docker") {
        if (!recognize(cmd)) once(cmd.line, `build script runs a command the importer cannot map: ${cmd.words.join(" ")}`);
        continue;
      }
      if (sub === "build" || (sub === "buildx" && cmd.words[2] === "build")) {
        const words = cmd.words;
        for (let i = 0; i < words.length; i++) {
          let arg: string | undefined;
          if (words[i] === "--build-arg") arg = words[++i];
          else if (words[i]!.startsWith("--build-arg=")) arg = words[i]!.slice("--build-arg=".length);
          else if ((words[i] === "-f" || words[i] === "--file") && !b.path) b.path = (words[i + 1] ?? "").replace(/\/Dockerfile$/, "");
          if (arg !== undefined) {
            const eq = arg.indexOf("=");
            if (eq === -1) once(cmd.line, `build argument "${arg}" without a value is not mapped`);
            else args.push({ name: arg.slice(0, eq), value: arg.slice(eq + 1), line: cmd.line });
          }
          if (words[i] === "--target" && words[i + 1] !== "production") once(cmd.line, `docker build --target ${words[i + 1]}: the generated build always uses --target production`);
        }
      } else if (sub === "push") {
        const ref = cmd.words[2] ?? "";
        const server = /^\$\{\{ secrets\.([A-Za-z_][A-Za-z0-9_]*) \}\}\//.exec(ref);
        if (server) facts.containerRegistry.loginServerSecret ??= server[1];
        const tag = ref.slice(ref.lastIndexOf(":") + 1);
        tags.push(
          tag
            .replace(/\$\{\{ github\.sha \}\}/g, "{sha}")
            .replace(/\$\{GITHUB_SHA\}/g, "{sha}")
            .replace(new RegExp(`\\$\\{${versionSub?.name ?? "VERSION"}\\}`, "g"), "{version}"),
        );
      } else if (sub !== "tag") once(cmd.line, `docker ${sub} is not mapped`);
    }
    if (args.length) facts.buildArgs[b.name] = args;
    if (!facts.imageTags.length) facts.imageTags = tags;
    if (!b.path) b.path = `services/${b.name}`;
  }
}

function readSentryStep(step: Record<string, any>, runText: string, firstLine: number, stepLine: number, facts: WorkflowFacts, unmappable: Report): void {
  let services = facts.builds.map((b) => b.name);
  const listed = typeof step.if === "string" ? /^contains\(\s*fromJSON\(\s*'(\[[^']*\])'\s*\)\s*,\s*matrix\.service(?:\.name)?\s*\)$/.exec(step.if.replace(/^\$\{\{\s*|\s*\}\}$/g, "").trim()) : null;
  let parsedList: string[] | undefined;
  try {
    const list = listed ? (JSON.parse(listed[1]!) as unknown) : undefined;
    if (Array.isArray(list) && list.every((x) => typeof x === "string")) parsedList = list;
  } catch {
    parsedList = undefined;
  }
  if (parsedList) services = parsedList;
  else if (typeof step.if === "string") {
    const cond = step.if.replace(/^\$\{\{\s*|\s*\}\}$/g, "");
    const names = cond.split("||").map((part: string) => /^\(?\s*matrix\.service(?:\.name)?\s*==\s*['"]([^'"]+)['"]\s*\)?$/.exec(part.trim())?.[1]);
    if (names.some((n: string | undefined) => n === undefined)) {
      unmappable(stepLine, `Sentry condition is not a chain of \`matrix.service.name == '…'\` joined by || (nor contains(fromJSON('[…]'), matrix.service.name)): ${step.if}`);
      services = [];
    } else services = names as string[];
  }
  const env = (step.env ?? {}) as Record<string, unknown>;
  const token = typeof env.SENTRY_AUTH_TOKEN === "string" ? secretName(normalizeExpression(env.SENTRY_AUTH_TOKEN)) : undefined;
  const sample = facts.builds[0]?.name ?? "service";
  const run = execute(substituteExpressions(runText, { "matrix.service.name": sample, "matrix.service": sample }), firstLine);
  let environment: string | undefined;
  let releaseSuffix: string | undefined;
  const release = run.commands.flatMap((c) => c.words).find((w) => w.startsWith(`${sample}@`));
  const releaseVar = /^(?:.*\$\{VERSION\})(.*)$/.exec(release ?? "");
  if (releaseVar) releaseSuffix = releaseVar[1];
  for (const c of run.commands) {
    const i = c.words.findIndex((w) => w === "-e" || w === "--env");
    if (c.words[0] === "sentry-cli" && c.words.includes("deploys") && i !== -1) environment = c.words[i + 1];
  }
  // A later step that only records deploys (a loop in the deploy job) adds the environment.
  const createsReleases = run.commands.some((c) => c.words[0] === "sentry-cli" && c.words[1] === "releases" && c.words[2] === "new");
  if (facts.sentry && !createsReleases) {
    facts.sentry.environment ??= environment;
    return;
  }
  facts.sentry = {
    services,
    line: stepLine,
    ...(typeof env.SENTRY_ORG === "string" ? { organization: env.SENTRY_ORG } : {}),
    ...(token ? { authTokenSecret: token } : {}),
    ...(environment ? { environment } : {}),
    ...(releaseSuffix !== undefined ? { releaseSuffix } : {}),
  };
}

/** Returns true when the command was consumed (or is a deploy event the caller orders). */
function readDeployCommand(cmd: ExecutedCommand, facts: WorkflowFacts, unmappable: Report): boolean {
  const w = cmd.words;
  const flag = (name: string): string | undefined => {
    const i = w.indexOf(name);
    if (i !== -1) return w[i + 1];
    return w.find((x) => x.startsWith(`${name}=`))?.slice(name.length + 1);
  };
  const [tool, sub, obj] = w;
  if (tool === "az" && sub === "acr" && obj === "login") {
    const s = secretName(flag("--name") ?? flag("-n") ?? "");
    if (s) facts.containerRegistry.nameSecret ??= s;
    else unmappable(cmd.line, "az acr login --name must read a GitHub secret (${{ secrets.NAME }})");
    return true;
  }
  if (tool === "az" && sub === "aks" && obj === "get-credentials") {
    const rg = secretName(flag("--resource-group") ?? flag("-g") ?? "");
    const name = secretName(flag("--name") ?? flag("-n") ?? "");
    if (rg) facts.cluster.resourceGroupSecret ??= rg;
    if (name) facts.cluster.nameSecret ??= name;
    if (!rg || !name) unmappable(cmd.line, "az aks get-credentials --resource-group and --name must read GitHub secrets");
    return true;
  }
  if (tool !== "kubectl") {
    return false;
  }
  if (sub === "create" && obj === "namespace") {
    const ns = w[3];
    if (ns && !ns.includes("${")) facts.namespace ??= ns;
    return true;
  }
  if (sub === "create" && obj === "secret") {
    const name = w[4];
    if (w[3] !== "generic" || !name) {
      unmappable(cmd.line, `kubectl create secret ${w[3]} is not mapped (only generic secrets from --from-literal are)`);
      return true;
    }
    const keys: ({ key: string; secret: string } & Located)[] = [];
    for (const word of w) {
      const m = /^--from-literal=([^=]+)=(.*)$/.exec(word);
      if (!m) {
        if (word.startsWith("--from-")) unmappable(cmd.line, `secret "${name}": ${word.split("=")[0]} is not mapped (only --from-literal=key=\${{ secrets.X }})`);
        continue;
      }
      const secret = secretName(m[2]!);
      if (secret) keys.push({ key: m[1]!, secret, line: cmd.line });
      else unmappable(cmd.line, `secret "${name}" key "${m[1]}" is not a GitHub secret (${m[2]}); the registry creates keys from GitHub secrets only`);
    }
    const ns = flag("--namespace") ?? flag("-n");
    if (ns && !ns.includes("${")) facts.namespace ??= ns;
    facts.secretGroups.push({ name, keys, line: cmd.line });
    return true;
  }
  if (sub === "apply" || (sub === "rollout" && obj === "status")) return false; // ordered by buildDeployOrder
  return false;
}

/** kubectl apply / rollout lines, in order -> phases: a service applied after a wait starts a new phase. */
function buildDeployOrder(events: { cmd: ExecutedCommand }[], facts: WorkflowFacts, ctx: ReadContext, unmappable: Report): void {
  const applies = events.flatMap(({ cmd }) => (cmd.words[1] === "apply" ? applyTargets(cmd.words) : []));
  facts.manifestsRoot = inferManifestsRoot(applies) ?? facts.manifestsRoot;
  const rootPrefix = `${facts.manifestsRoot}/`;
  let current: string[] = [];
  let awaited = false;
  const closePhase = (): void => {
    if (current.length) facts.phases.push(current);
    current = [];
    awaited = false;
  };
  for (const { cmd } of events) {
    if (cmd.words[1] === "rollout") {
      const target = cmd.words.find((w) => w.startsWith("deployment/") || w.startsWith("deploy/"));
      const timeout = (cmd.words.find((w) => w.startsWith("--timeout="))?.slice(10) ?? cmd.words[cmd.words.indexOf("--timeout") + 1]) || undefined;
      if (!target) {
        unmappable(cmd.line, `rollout of something other than a Deployment: ${cmd.words.join(" ")}`);
        continue;
      }
      const deployment = target.slice(target.indexOf("/") + 1);
      let service = facts.deployed[deployment];
      // The repository says which folder defines it (livekit/ holds livekit-server and livekit-egress).
      const folder = ctx.repository?.deploymentFolder.get(deployment);
      if (ctx.repository) service = folder !== undefined ? facts.deployed[folder] : undefined;
      if (!service && !ctx.repository) {
        const waiting = current.map((n) => facts.deployed[n]!).filter((s) => s.timeoutSeconds === undefined);
        if (waiting.length === 1) {
          service = waiting[0]!;
          service.deployment = deployment;
        }
      }
      if (!service) {
        unmappable(
          cmd.line,
          ctx.repository && folder === undefined
            ? `waits for deployment/${deployment}, which no manifest under ${facts.manifestsRoot}/ defines: not carried over`
            : `waits for deployment/${deployment}, which no kubectl apply of a service folder deployed before`,
          ctx.repository && folder === undefined ? "remove the wait, or add the Deployment's manifest to a service folder" : undefined,
        );
        continue;
      }
      if (!service.awaited.includes(deployment)) service.awaited.push(deployment);
      const seconds = parseTimeout(timeout);
      service.timeoutSeconds = Math.max(service.timeoutSeconds ?? 0, seconds ?? 300);
      if (cmd.swallowed) service.swallowed.push(cmd.line);
      awaited = true;
      continue;
    }
    for (const raw of applyTargets(cmd.words)) {
      const path = raw.replace(/^\.\//, "");
      if (!path.startsWith(rootPrefix)) {
        unmappable(cmd.line, `kubectl apply -f ${raw} is outside the manifests folder ${facts.manifestsRoot}/`, "move it to templates/deploy/cluster-prerequisites.yml or post-deploy.yml");
        continue;
      }
      const rest = path.slice(rootPrefix.length).replace(/\/$/, "");
      const parts = rest.split("/");
      if (parts.length === 1 && /\.ya?ml$/.test(rest)) {
        if (/ingress/.test(rest)) facts.ingress = { path: rest, line: cmd.line };
        else unmappable(cmd.line, `kubectl apply -f ${raw}: a top-level manifest that is not the ingress`, "move it to templates/deploy/cluster-prerequisites.yml");
        continue;
      }
      const dir = parts[0]!;
      const sub = parts[1];
      if (sub === "cronjobs" || sub === "jobs") {
        const service = facts.deployed[dir];
        if (!service) {
          unmappable(cmd.line, `applies ${raw} before the folder of "${dir}" is deployed`);
          continue;
        }
        const files = parts[2] ? [parts[2]] : ctx.listYamlFiles(`${facts.manifestsRoot}/${dir}/${sub}`);
        if (!files) {
          unmappable(cmd.line, `applies the folder ${raw}, whose files the importer cannot list (pass --root <repository> so it can read ${facts.manifestsRoot}/${dir}/${sub}/)`);
          continue;
        }
        for (const f of files) {
          const name = f.replace(/\.ya?ml$/, "");
          if (sub === "jobs") service.jobs.push({ name, line: cmd.line });
          else {
            const schedule = /^\s*schedule:\s*["']?([^"'\n#]+?)["']?\s*(#.*)?$/m.exec(ctx.readFile(`${facts.manifestsRoot}/${dir}/cronjobs/${f}`) ?? "")?.[1];
            service.cronjobs.push({ name, ...(schedule ? { schedule } : {}), line: cmd.line });
          }
        }
        if (cmd.swallowed) service.swallowed.push(cmd.line);
        continue;
      }
      if (sub !== undefined && !(parts.length === 2 && /\.ya?ml$/.test(sub))) {
        unmappable(cmd.line, `kubectl apply -f ${raw}: not a service folder, cronjob or job`);
        continue;
      }
      if (sub !== undefined && ctx.templateCommands.size && /cert-manager|ingress-nginx/.test(dir)) {
        unmappable(cmd.line, `kubectl apply -f ${raw}: a cluster component, not a service`, "move it to templates/deploy/cluster-prerequisites.yml");
        continue;
      }
      if (awaited) closePhase();
      const existing = facts.deployed[dir];
      if (!existing) {
        facts.deployed[dir] = { name: dir, manifestsDir: dir, cronjobs: [], jobs: [], swallowed: [], awaited: [], line: cmd.line };
        current.push(dir);
      }
      if (cmd.swallowed) facts.deployed[dir]!.swallowed.push(cmd.line);
    }
  }
  closePhase();
}

/** The folder most service folders are in: `infra/k8s` for `infra/k8s/<service>/`. */
function inferManifestsRoot(paths: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const p of paths) {
    const clean = p.replace(/^\.\//, "").replace(/\/$/, "");
    const parts = clean.split("/");
    const cron = parts.findIndex((x) => x === "cronjobs" || x === "jobs");
    const dirParts = cron > 0 ? parts.slice(0, cron - 1) : /\.ya?ml$/.test(clean) ? parts.slice(0, -1) : parts.slice(0, -1);
    if (!dirParts.length) continue;
    const root = dirParts.join("/");
    counts.set(root, (counts.get(root) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || byCodeUnit(a[0], b[0]))[0]?.[0];
}

function parseTimeout(text: string | undefined): number | undefined {
  const m = /^(\d+)(s|m|h)?$/.exec(text ?? "");
  if (!m) return undefined;
  return Number(m[1]) * (m[2] === "m" ? 60 : m[2] === "h" ? 3600 : 1);
}

/**
 * A parsed workflow -> the facts drift and audit talk about: what the build matrix builds, which
 * secrets are created, what `kubectl apply` applies in which order, which rollouts are awaited.
 * Read from the workflow's data and the text of its `run:` scripts, so it works on a committed
 * file that someone edited by hand just as on a generated one. A step that runs the runner bundle
 * (`deploy.mjs deploy|secrets|ingress|sentry-deploys <data>`) does what the environment's data
 * file says: pass it, and its facts count at that step.
 */
import { type DeployData, unitDeployments } from "../runner/data.ts";

export interface MatrixEntryFact {
  name: string;
  sentry: boolean;
}

export interface ApplyFact {
  /** The `-f` argument, unquoted: a folder (ending in `/`), a file or a URL. */
  target: string;
  /** Index of the step (across all jobs, in file order) that applies it. */
  step: number;
  /** Position among all applies of the file. */
  order: number;
  /** Applied by the runner's scheduler, which waits for the dependencies' rollouts within the step. */
  scheduled?: boolean;
}

export interface WorkflowFacts {
  /** Build matrix entries, in order; undefined when the workflow has no build matrix. */
  matrix?: MatrixEntryFact[];
  /** Whether some step creates Sentry releases (`sentry-cli releases new`). */
  createsSentryReleases: boolean;
  /** Services whose Sentry deploy is recorded (`sentry-cli releases deploys "<service>@…"`). */
  sentryDeploys: Set<string>;
  /** Kubernetes secret name -> keys created (`kubectl create secret generic` + `--from-file=KEY=`). */
  secrets: Map<string, Set<string>>;
  applies: ApplyFact[];
  /** Deployments whose rollout is awaited (`kubectl rollout status deployment/<name>`). */
  rollouts: Set<string>;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Shell word -> its text: `'a b'` -> `a b`, `"x"` -> `x`. */
export function unquote(word: string): string {
  if (word.length >= 2 && ((word.startsWith("'") && word.endsWith("'")) || (word.startsWith('"') && word.endsWith('"')))) return word.slice(1, -1);
  return word;
}

const WORD = String.raw`('[^']*'|"[^"]*"|[^\s;|&)]+)`;
const APPLY_FILE = new RegExp(String.raw`(?:^|\s)(?:-f|--filename)(?:=|\s+)${WORD}`, "g");
const CREATE_SECRET = new RegExp(String.raw`kubectl\s+create\s+secret\s+generic\s+${WORD}`);
const SECRET_KEY = /--from-(?:file|literal)=('[^']*'|"[^"]*"|[^=\s]+)=/g;
const ROLLOUT = new RegExp(String.raw`kubectl\s+rollout\s+status\s+${WORD}`, "g");
const SENTRY_DEPLOY = /sentry-cli\s+releases\s+deploys\s+"?'?([^"'@\s]+)@/g;

/** Logical lines of a script: backslash-newline continuations joined, comments dropped. */
export function logicalLines(script: string): string[] {
  return script
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
}

export function workflowFacts(workflow: unknown, data?: DeployData): WorkflowFacts {
  const facts: WorkflowFacts = { createsSentryReleases: false, sentryDeploys: new Set(), secrets: new Map(), applies: [], rollouts: new Set() };
  const listed: MatrixEntryFact[] = [];
  const jobs = isObject(workflow) && isObject(workflow.jobs) ? Object.values(workflow.jobs) : [];
  let stepIndex = 0;
  for (const job of jobs) {
    if (!isObject(job)) continue;
    const matrix = isObject(job.strategy) && isObject(job.strategy.matrix) ? job.strategy.matrix.service : undefined;
    if (Array.isArray(matrix))
      facts.matrix = [...(facts.matrix ?? []), ...matrix.filter(isObject).map((e) => ({ name: String(e.name), sentry: e.sentry === true || e.sentry === "true" }))];
    for (const step of Array.isArray(job.steps) ? job.steps : []) {
      const run = isObject(step) && typeof step.run === "string" ? step.run : undefined;
      if (run !== undefined) {
        readScript(run, stepIndex, facts);
        if (data) readRunnerCommands(run, stepIndex, data, facts);
        listed.push(...listedServices(run));
      }
      stepIndex++;
    }
  }
  // Affected-only builds compute the matrix at run time (`fromJSON(needs.changes.outputs…)`) from
  // the service list the `changes` step carries in a heredoc: that list is the build matrix.
  if (facts.matrix === undefined && listed.length) facts.matrix = listed;
  // With the runner's change detection, the data file's build list is the build matrix.
  if (facts.matrix === undefined && data && runsRunner(workflow, "changes", data))
    facts.matrix = data.builds.map((b) => ({ name: String(b.entry.name), sentry: b.entry.sentry === true }));
  return facts;
}

const HEREDOC_OPENER = /<<-?[ \t]*'?"?(\w+)/;

/**
 * The bodies of the script's heredocs (`<<EOF` … `EOF`), in one pass over its lines: a committed
 * file is anyone's text, and a regex that searched on from every opener for its closer took
 * quadratic time on a file of many openers (50,000 lines: minutes, in every pre-commit hook). An
 * opener never closed runs to the end of the script, as in bash.
 */
export function heredocBodies(script: string): string[] {
  const lines = script.split("\n");
  const bodies: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const delimiter = HEREDOC_OPENER.exec(lines[i]!)?.[1];
    if (delimiter === undefined) continue;
    let end = i + 1;
    while (end < lines.length && lines[end]!.trim() !== delimiter) end++;
    bodies.push(lines.slice(i + 1, end).join("\n"));
    i = end;
  }
  return bodies;
}

const RUNNER = /\bnode\s+\S*deploy\.mjs\s+([a-z-]+)\s+(\S+)/g;

function runsRunner(workflow: unknown, command: string, data: DeployData): boolean {
  return JSON.stringify(workflow).includes(`deploy.mjs ${command} ${data.dataFile}`);
}

/** What the runner's commands do at this step, from the data file they read. */
function readRunnerCommands(run: string, step: number, data: DeployData, facts: WorkflowFacts): void {
  for (const line of logicalLines(run))
    for (const m of line.matchAll(RUNNER)) {
      if (unquote(m[2]!) !== data.dataFile) continue;
      const apply = (target: string): void => void facts.applies.push({ target, step, order: facts.applies.length, scheduled: true });
      switch (m[1]) {
        case "deploy":
          for (const u of data.units) {
            apply(`${u.manifestsDir}/`);
            u.cronjobFiles.forEach(apply);
            for (const d of unitDeployments(u)) facts.rollouts.add(d);
          }
          for (const j of data.jobs) apply(j.file);
          break;
        case "ingress":
          apply(data.ingressManifest);
          break;
        case "secrets":
          for (const g of data.secretGroups) facts.secrets.set(g.name, new Set([...(facts.secrets.get(g.name) ?? []), ...g.keys.map((k) => k.key)]));
          break;
        case "sentry-deploys":
          for (const p of data.sentry?.projects ?? []) facts.sentryDeploys.add(p.service);
          break;
      }
    }
}

/** Build entries from a heredoc holding `{ "services": [{ "entry": { name, sentry, … } }] }`. */
function listedServices(run: string): MatrixEntryFact[] {
  const out: MatrixEntryFact[] = [];
  for (const body of heredocBodies(run)) {
    if (!body.includes('"services"')) continue;
    let data: unknown;
    try {
      data = JSON.parse(body);
    } catch {
      // Hand-edited into invalid JSON: still read the entries line by line, each entry up to its
      // first "}" (a split, not a lazy regex, so a long line stays linear).
      for (const line of body.split("\n")) {
        const entry = line.split('"entry":{')[1]?.split("}")[0];
        const name = entry === undefined ? undefined : /"name":"([^"]+)"/.exec(entry)?.[1];
        if (name) out.push({ name, sentry: entry!.includes('"sentry":true') });
      }
      continue;
    }
    const services = isObject(data) && Array.isArray(data.services) ? data.services : [];
    for (const s of services) {
      const entry = isObject(s) && isObject(s.entry) ? s.entry : s;
      if (isObject(entry) && typeof entry.name === "string") out.push({ name: entry.name, sentry: entry.sentry === true });
    }
  }
  return out;
}

function readScript(run: string, step: number, facts: WorkflowFacts): void {
  for (const line of logicalLines(run)) {
    if (/\bkubectl\s+apply\b/.test(line))
      for (const m of line.matchAll(APPLY_FILE)) {
        const target = unquote(m[1]!);
        if (target !== "-") facts.applies.push({ target, step, order: facts.applies.length });
      }
    const secret = CREATE_SECRET.exec(line);
    if (secret) {
      const keys = facts.secrets.get(unquote(secret[1]!)) ?? new Set<string>();
      for (const k of line.matchAll(SECRET_KEY)) keys.add(unquote(k[1]!));
      facts.secrets.set(unquote(secret[1]!), keys);
    }
    for (const m of line.matchAll(ROLLOUT)) {
      const target = unquote(m[1]!);
      if (target.startsWith("deployment/")) facts.rollouts.add(target.slice("deployment/".length));
    }
    if (/sentry-cli\s+releases\s+new\b/.test(line)) facts.createsSentryReleases = true;
    for (const m of line.matchAll(SENTRY_DEPLOY)) facts.sentryDeploys.add(m[1]!.replace(/^\$\{?/, ""));
  }
}

/**
 * The scheduler's cluster, through kubectl: renders a unit's manifests with its image tag
 * (envsubst of the registry's variables only), labels every object with the registry and the
 * service (`kubectl label --local`, no server call), applies them in one call, and reads from
 * kubectl's own output whether the Deployment changed.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { LABEL_REGISTRY, LABEL_SERVICE, type DeployData, type DeployUnitData } from "./data.ts";
import { envsubst } from "./envsubst.ts";
import type { Run } from "./process.ts";
import type { ApplyResult, UnitCluster } from "./schedule.ts";

/** The files `kubectl apply -f <dir>/` reads: the folder's own .yaml/.yml/.json, not subfolders. */
function folderManifests(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /\.(ya?ml|json)$/.test(f) && statSync(join(dir, f)).isFile())
    .sort()
    .map((f) => join(dir, f));
}

/** `deployment.apps/portal configured` -> [ref, verb] for every object line kubectl prints. */
export function appliedObjects(stdout: string): { ref: string; verb: string }[] {
  return stdout
    .split("\n")
    .map((l) => /^(\S+\/\S+) (created|configured|unchanged)\b/.exec(l.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ ref: m[1]!, verb: m[2]! }));
}

/**
 * A Deployment's pod template from `kubectl get -o json`, as text: what a rollout rolls. A change
 * elsewhere (labels, replicas) bumps no revision, so nothing rolls and there is nothing to undo.
 */
export function podTemplate(deploymentJson: string): string | undefined {
  try {
    return JSON.stringify((JSON.parse(deploymentJson) as { spec?: { template?: unknown } }).spec?.template ?? null);
  } catch {
    return undefined;
  }
}

/** The tag of the image `<…>/<service>:<tag>` a live Deployment runs, from `kubectl get -o json`. */
export function liveImageTag(deploymentJson: string, service: string): string | undefined {
  let images: string[] = [];
  try {
    const d = JSON.parse(deploymentJson) as { spec?: { template?: { spec?: { containers?: { image?: string }[]; initContainers?: { image?: string }[] } } } };
    const pod = d.spec?.template?.spec;
    images = [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])].map((c) => c.image ?? "");
  } catch {
    return undefined;
  }
  for (const image of images) {
    if (image.includes("@")) continue;
    const colon = image.lastIndexOf(":");
    if (colon <= image.lastIndexOf("/")) continue;
    if (image.slice(image.lastIndexOf("/") + 1, colon) === service) return image.slice(colon + 1);
  }
  return undefined;
}

export interface KubeOptions {
  data: DeployData;
  run: Run;
  env: Readonly<Record<string, string | undefined>>;
  /** The tag this run deploys for services it built. */
  tag: string;
  /** Services whose image was not rebuilt: they keep the tag they run. */
  kept: ReadonlySet<string>;
  /** Where rendered manifests go (RUNNER_TEMP). */
  workDir: string;
  log(line: string): void;
}

export class KubeCluster implements UnitCluster<DeployUnitData> {
  /** Every object ref applied this run, for prune. */
  readonly applied = new Set<string>();
  /** The tag each unit was applied with. */
  readonly tags = new Map<string, string>();
  /** Per unit, the Deployments its apply created or changed: what its rollout awaits and an undo reverts. */
  private readonly rolling = new Map<string, DeploymentChange[]>();

  constructor(private readonly o: KubeOptions) {}

  private kubectl(args: string[], input?: string) {
    return this.o.run("kubectl", [...args, "--namespace", this.o.data.namespace], input === undefined ? {} : { input });
  }

  /** The live Deployment as JSON, or undefined when it does not exist yet. */
  private async live(deployment: string): Promise<string | undefined> {
    const r = await this.kubectl(["get", `deployment/${deployment}`, "-o", "json"]);
    return r.code === 0 ? r.stdout : undefined;
  }

  /** Renders, labels and applies files; returns kubectl's output or an error. */
  async applyFiles(name: string, files: string[], values: Record<string, string>, service?: string): Promise<{ ok: true; stdout: string } | { ok: false; error: string }> {
    const dir = join(this.o.workDir, "rendered", name);
    mkdirSync(dir, { recursive: true });
    for (const [i, file] of files.entries()) writeFileSync(join(dir, `${String(i).padStart(3, "0")}-${basename(file)}`), envsubst(readFileSync(file, "utf8"), values));
    const labels = [`${LABEL_REGISTRY}=${this.o.data.registryLabel}`, ...(service ? [`${LABEL_SERVICE}=${service}`] : [])];
    const labelled = await this.o.run("kubectl", ["label", "--local", "--overwrite", "-f", dir, "-o", "yaml", ...labels]);
    if (labelled.code !== 0) return { ok: false, error: labelled.stderr.trim() };
    const applied = await this.kubectl(["apply", "-f", "-"], labelled.stdout);
    if (applied.code !== 0) return { ok: false, error: applied.stderr.trim() };
    for (const o of appliedObjects(applied.stdout)) this.applied.add(o.ref);
    return { ok: true, stdout: applied.stdout };
  }

  values(tag: string): Record<string, string> {
    const values: Record<string, string> = {};
    for (const v of this.o.data.manifestVariables) values[v] = this.o.env[v] ?? "";
    for (const v of this.o.data.imageTagVariables) values[v] = tag;
    return values;
  }

  async apply(unit: DeployUnitData): Promise<ApplyResult> {
    const missing = [unit.manifestsDir, ...unit.cronjobFiles].filter((p) => !existsSync(p));
    if (missing.length) return { ok: false, error: `${unit.service}: ${missing.map((p) => `the path "${p}" does not exist`).join("; ")}` };
    const before = new Map(await Promise.all(unit.deployments.map(async (d) => [d, await this.live(d)] as const)));
    // A service not rebuilt keeps the tag it runs (read from the first of its Deployments that runs
    // its image); not in the cluster yet (or not our image), it gets this commit's tag, which the
    // re-tag job pushed.
    const kept = unit.image && this.o.kept.has(unit.service) ? unit.deployments.map((d) => before.get(d)).map((live) => live && liveImageTag(live, unit.service)).find((t) => t) : undefined;
    const tag = kept ?? this.o.tag;
    this.tags.set(unit.service, tag);
    const result = await this.applyFiles(unit.service, [...folderManifests(unit.manifestsDir), ...unit.cronjobFiles], this.values(tag), unit.service);
    if (!result.ok) return result;
    const objects = appliedObjects(result.stdout);
    const changes: DeploymentChange[] = [];
    for (const d of unit.deployments) {
      const applied = objects.find((o) => /^deployment(\.apps)?\//.test(o.ref) && o.ref.endsWith(`/${d}`));
      if (!applied) {
        this.o.log(`applied ${unit.service}: its manifests hold no Deployment ${d}`);
        continue;
      }
      const was = before.get(d);
      if (was === undefined) changes.push({ deployment: d, change: "created" });
      else {
        const after = applied.verb === "unchanged" ? undefined : await this.live(d);
        changes.push({ deployment: d, change: after !== undefined && podTemplate(after) !== podTemplate(was) ? "rolls" : "unchanged" });
      }
    }
    const rolling = changes.filter((c) => c.change !== "unchanged");
    this.rolling.set(unit.service, rolling);
    const said = (c: DeploymentChange): string => (c.change === "created" ? "new Deployment" : c.change === "rolls" ? "pod template changed, rolling" : "pod template unchanged, nothing rolls");
    if (changes.length) this.o.log(`applied ${unit.service} (tag ${tag}): ${changes.length === 1 ? said(changes[0]!) : changes.map((c) => `${c.deployment}: ${said(c)}`).join("; ")}`);
    // Created: every Deployment that rolls is new, so a rollback has no earlier revision to go back to.
    return { ok: true, rolls: rolling.length > 0, created: rolling.length > 0 && rolling.every((c) => c.change === "created") };
  }

  /** The unit's Deployments that its apply created (no earlier revision to roll back to). */
  createdBy(unit: DeployUnitData): string[] {
    return (this.rolling.get(unit.service) ?? []).filter((c) => c.change === "created").map((c) => c.deployment);
  }

  /** Waits for the rollout of every Deployment the unit's apply changed; false when one failed or timed out. */
  async rollout(unit: DeployUnitData): Promise<boolean> {
    let ok = true;
    // They roll at once in the cluster; waiting in turn costs the slowest, not the sum.
    for (const { deployment } of this.rolling.get(unit.service) ?? []) {
      const r = await this.kubectl(["rollout", "status", `deployment/${deployment}`, `--timeout=${unit.timeoutSeconds}s`]);
      if (r.code !== 0) this.o.log(`::error::rollout failed: ${deployment}: ${r.stderr.trim()}`);
      ok &&= r.code === 0;
    }
    if (ok) this.o.log(`rolled out ${unit.service}`);
    return ok;
  }

  /** `kubectl rollout undo` of each Deployment this run changed (not those it created), then waits for each to be ready again. */
  async undo(unit: DeployUnitData): Promise<boolean> {
    let ok = true;
    for (const { deployment, change } of this.rolling.get(unit.service) ?? []) {
      if (change === "created") {
        this.o.log(`::warning::${deployment} was created by this run: no earlier revision to roll back to`);
        continue;
      }
      const undo = await this.kubectl(["rollout", "undo", `deployment/${deployment}`]);
      if (undo.code !== 0) {
        this.o.log(`::error::could not roll back ${deployment}: ${undo.stderr.trim()}`);
        ok = false;
        continue;
      }
      const wait = await this.kubectl(["rollout", "status", `deployment/${deployment}`, `--timeout=${unit.timeoutSeconds}s`]);
      this.o.log(wait.code === 0 ? `::warning::rolled back ${deployment} to its previous revision` : `::error::rolled back ${deployment}, but it did not become ready: ${wait.stderr.trim()}`);
      ok &&= wait.code === 0;
    }
    return ok;
  }
}

interface DeploymentChange {
  deployment: string;
  change: "created" | "rolls" | "unchanged";
}

/**
 * `deploy.mjs changes <data>`: finds the last successful deploy and decides which services to
 * build; writes the build matrices and the re-tag list as step outputs.
 */
import { existsSync, readFileSync } from "node:fs";
import { selectAffected, workspaceGraph } from "./affected.ts";
import { type RunnerContext, cell } from "./runner-env.ts";

/**
 * The commit of the newest successful run of this workflow on the branch that is still in the
 * branch's history (nrwl/nx-set-shas semantics). Not the push's "before": a failed deploy's
 * changes must be built again by the next run.
 */
async function lastDeployedCommit(ctx: RunnerContext): Promise<string | undefined> {
  const workflow = ctx.data.workflowFile.split("/").pop()!;
  const api = `repos/${ctx.env.GITHUB_REPOSITORY ?? ""}/actions/workflows/${workflow}/runs`;
  const args = ["api", "--method", "GET", api, "-f", `branch=${ctx.data.branch}`, "-f", "status=success", "-f", "per_page=100", "--jq", ".workflow_runs[].head_sha"];
  const runs = await ctx.run("gh", args);
  if (runs.code !== 0) throw new Error(`gh api failed: ${runs.stderr.trim()}`);
  for (const sha of runs.stdout.split("\n").map((s) => s.trim()).filter(Boolean))
    if ((await ctx.run("git", ["merge-base", "--is-ancestor", sha, "HEAD"])).code === 0) return sha;
  return undefined;
}

async function git(ctx: RunnerContext, args: string[]): Promise<string | undefined> {
  const r = await ctx.run("git", args);
  return r.code === 0 ? r.stdout : undefined;
}

export async function changesCommand(ctx: RunnerContext): Promise<number> {
  const { data } = ctx;
  const fullBuild = ctx.env.FULL_BUILD === "true";
  const base = fullBuild ? undefined : await lastDeployedCommit(ctx);
  // -z: paths NUL-separated and verbatim; without it git quotes special or non-ASCII names.
  const diff = base ? await git(ctx, ["diff", "--name-only", "-z", "--no-renames", base, "HEAD"]) : "";
  if (diff === undefined) throw new Error(`git diff ${base} HEAD failed`);
  const changedFiles = diff.split("\0").filter(Boolean);
  const listed = (await git(ctx, ["ls-files", "-z", "--", ":(glob)**/package.json"])) ?? "";
  const manifests = listed
    .split("\0")
    .filter(Boolean)
    .map((file) => ({ dir: file.includes("/") ? file.slice(0, file.lastIndexOf("/")) : "", json: JSON.parse(readFileSync(file, "utf8")) as unknown }));
  const dockerfiles = new Map<string, string>();
  for (const b of data.builds) {
    const file = `${String(b.entry.path)}/Dockerfile`;
    if (existsSync(file)) dockerfiles.set(String(b.entry.name), readFileSync(file, "utf8"));
  }
  const names = data.builds.map((b) => String(b.entry.name));
  const result = selectAffected({
    services: data.builds.map((b) => ({ name: String(b.entry.name), path: String(b.entry.path), definition: b.definition })),
    graph: workspaceGraph(manifests),
    dockerfiles,
    changedFiles,
    previousData: base ? await git(ctx, ["show", `${base}:${data.dataFile}`]) : undefined,
    fullBuild,
  });
  const building = new Set(result.build);
  const baseVersion = base ? ((await git(ctx, ["show", `${base}:${data.versionFile}`])) ?? "").trim() : "";
  const outputs = [`base=${base ?? ""}`, `base-version=${baseVersion}`, `retag=${result.retag.join(" ")}`];
  for (let shard = 1; shard <= data.shards; shard++)
    outputs.push(`build-${shard}=${JSON.stringify(data.builds.filter((b) => b.shard === shard && building.has(String(b.entry.name))).map((b) => b.entry))}`);
  ctx.output(outputs);

  ctx.log(base ? `Last successful deploy: ${base} (${changedFiles.length} files changed since)` : "No previous deploy to compare with: building everything");
  for (const n of names) ctx.log(`${building.has(n) ? "build " : "re-tag"} ${n}: ${result.reasons[n]}`);
  const rows = names.map((n) => `| ${n} | ${building.has(n) ? "build" : "re-tag"} | ${cell(result.reasons[n]!)} |`);
  const since = base ? ` since ${base}` : "";
  ctx.summary(["### Services to build", "", `${result.build.length} built, ${result.retag.length} re-tagged${since}.`, "", "| Service | Action | Why |", "| --- | --- | --- |", ...rows, ""].join("\n") + "\n");
  return 0;
}

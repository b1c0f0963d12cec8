/**
 * `deploy.mjs redeploy <data>`: the manual rollback workflow. Redeploys the release named by
 * RELEASE (a commit of this branch): its manifests, its images, in dependency order, without
 * building, and without re-running one-time jobs (an old backfill must not run again). Refused, before anything is applied, when the commit is unknown or any of its images
 * is missing from the container registry.
 */
import { deploy } from "./deploy.ts";
import { type RunnerContext, tagFor } from "./runner-env.ts";

export async function redeployCommand(ctx: RunnerContext): Promise<number> {
  const { data } = ctx;
  const release = (ctx.env.RELEASE ?? "").trim();
  if (!/^[0-9a-f]{7,40}$/.test(release)) {
    ctx.log(`::error::release "${release}" is not a commit SHA (7 to 40 lowercase hex digits)`);
    return 1;
  }
  const resolved = await ctx.run("git", ["rev-parse", "--verify", "--quiet", `${release}^{commit}`]);
  if (resolved.code !== 0) {
    ctx.log(`::error::release ${release} is not a commit of this repository`);
    return 1;
  }
  const sha = resolved.stdout.trim();
  const onBranch = await ctx.run("git", ["merge-base", "--is-ancestor", sha, "HEAD"]);
  if (onBranch.code !== 0) {
    ctx.log(`::error::release ${sha} is not in the history of ${data.branch}: only a release deployed from this branch can be redeployed`);
    return 1;
  }
  const version = await ctx.run("git", ["show", `${sha}:${data.versionFile}`]);
  const tag = tagFor(data.imageTag, sha, version.code === 0 ? version.stdout.replace(/\s/g, "") : "");
  const server = ctx.env.ACR_SERVER ?? "";
  const missing: string[] = [];
  for (const u of data.units.filter((unit) => unit.image)) {
    const inspect = await ctx.run("docker", ["buildx", "imagetools", "inspect", `${server}/${u.service}:${tag}`]);
    if (inspect.code !== 0) missing.push(`${u.service}:${tag}`);
  }
  for (const m of missing) ctx.log(`::error::image ${m} is not in the container registry`);
  if (missing.length) {
    ctx.log(`::error::refusing to redeploy ${sha}: ${missing.length} images are missing; nothing was applied`);
    return 1;
  }
  // The release's own manifests, in this checkout's tree; the runner and its data stay current.
  const restored = await ctx.run("git", ["checkout", sha, "--", ...new Set(data.units.map((u) => u.manifestsDir))]);
  if (restored.code !== 0) {
    ctx.log(`::error::could not check out the manifests of ${sha}: ${restored.stderr.trim()}`);
    return 1;
  }
  ctx.log(`redeploying ${sha} (image tag ${tag})`);
  return deploy(ctx, { tag, kept: new Set(), title: `Redeploy of ${sha.slice(0, 12)}`, prune: false, oneTimeJobs: false });
}

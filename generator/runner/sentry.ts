/**
 * `deploy.mjs sentry-deploys <data>`: records a Sentry deploy for every Sentry service. `releases
 * new` first (a no-op when the build created it): a re-tagged service has no release for a new
 * VERSION. One service's failure is a warning and does not stop the others.
 */
import { join } from "node:path";
import { type RunnerContext, readVersion } from "./runner-env.ts";

/**
 * `deploy.mjs install-sentry-cli <data>`: the pinned Sentry CLI, once per job, into the job's
 * temporary folder (nothing global, no install script run), on PATH for the later steps. Why not
 * `getsentry/action-release` or `npx`: render/build-job.ts installSentryCliStep.
 */
export async function installSentryCliCommand(ctx: RunnerContext): Promise<number> {
  const pkg = ctx.data.sentry?.cliPackage;
  if (!pkg) {
    ctx.log("::warning::the data file names no Sentry CLI package (it predates install-sentry-cli): regenerate it");
    return 1;
  }
  const prefix = join(ctx.env.RUNNER_TEMP ?? ".", "sentry-cli");
  const installed = await ctx.run("npm", ["install", "--prefix", prefix, "--ignore-scripts", "--no-audit", "--no-fund", "--no-save", pkg]);
  if (installed.code !== 0) {
    ctx.log(`::warning::could not install ${pkg}: ${installed.stderr.trim()}`);
    return 1;
  }
  ctx.addPath(join(prefix, "node_modules", ".bin"));
  ctx.log(`installed ${pkg}`);
  return 0;
}

export async function sentryDeploysCommand(ctx: RunnerContext): Promise<number> {
  const sentry = ctx.data.sentry;
  if (!sentry) return 0;
  const version = readVersion(ctx.data.versionFile);
  for (const p of sentry.projects) {
    const release = `${p.service}@v${version}${sentry.releaseSuffix}`;
    const created = await ctx.run("sentry-cli", ["releases", "new", release, "--project", p.project]);
    const recorded = created.code === 0 && (await ctx.run("sentry-cli", ["releases", "deploys", release, "new", "--env", sentry.environment, "--project", p.project])).code === 0;
    if (!recorded) ctx.log(`::warning::Sentry deploy not recorded for ${p.service}`);
  }
  return 0;
}

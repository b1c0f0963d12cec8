/**
 * `deploy.mjs sentry-deploys <data>`: records a Sentry deploy for every Sentry service. `releases
 * new` first (a no-op when the build created it): a re-tagged service has no release for a new
 * VERSION. One service's failure is a warning and does not stop the others.
 */
import { type RunnerContext, readVersion } from "./runner-env.ts";

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

/** `deploy.mjs ingress <data>`: the environment's ingress, labelled with the registry, in the namespace. */
import { LABEL_REGISTRY } from "./data.ts";
import { ensureNamespace } from "./namespace.ts";
import type { RunnerContext } from "./runner-env.ts";

export async function ingressCommand(ctx: RunnerContext): Promise<number> {
  const { data } = ctx;
  await ensureNamespace(ctx);
  const labelled = await ctx.run("kubectl", ["label", "--local", "--overwrite", "-f", data.ingressManifest, "-o", "yaml", `${LABEL_REGISTRY}=${data.registryLabel}`]);
  const applied = labelled.code === 0 ? await ctx.run("kubectl", ["apply", "--namespace", data.namespace, "-f", "-"], { input: labelled.stdout }) : labelled;
  ctx.log(applied.code === 0 ? applied.stdout.trim() : `::error::could not apply ${data.ingressManifest}: ${applied.stderr.trim()}`);
  return applied.code === 0 ? 0 : 1;
}

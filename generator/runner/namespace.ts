/**
 * The namespace, created when missing. The deploy and the prerequisites jobs run at the same time
 * and both need it: whichever comes second finds it (or loses the race with AlreadyExists), both fine.
 */
import { LABEL_REGISTRY } from "./data.ts";
import type { RunnerContext } from "./runner-env.ts";

export async function ensureNamespace(ctx: RunnerContext): Promise<void> {
  const { namespace, registryLabel } = ctx.data;
  if ((await ctx.run("kubectl", ["get", "namespace", namespace, "-o", "name"])).code === 0) return;
  const manifest = { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace, labels: { [LABEL_REGISTRY]: registryLabel } } };
  const created = await ctx.run("kubectl", ["create", "-f", "-"], { input: JSON.stringify(manifest) });
  if (created.code !== 0 && !/AlreadyExists/.test(created.stderr)) throw new Error(`could not create namespace ${namespace}: ${created.stderr.trim()}`);
}

/**
 * `deploy.mjs secrets <data>` and `deploy.mjs verify-secrets <data>`: creates every secret group
 * from the step environment (values go to kubectl on stdin, never in arguments), after naming
 * every missing GitHub secret; then reads each key back and names each missing one.
 */
import { LABEL_REGISTRY } from "./data.ts";
import { ensureNamespace } from "./namespace.ts";
import type { RunnerContext } from "./runner-env.ts";

export async function secretsCommand(ctx: RunnerContext): Promise<number> {
  const { data } = ctx;
  const missing = data.secretGroups.flatMap((g) => g.keys.filter((k) => !ctx.env[k.env]).map((k) => `${g.name}/${k.key} (GitHub secret ${k.env})`));
  for (const m of missing) ctx.log(`::error::secret value missing: ${m}`);
  if (missing.length) return 1;
  await ensureNamespace(ctx);
  for (const g of data.secretGroups) {
    const secret = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: g.name, namespace: data.namespace, labels: { [LABEL_REGISTRY]: data.registryLabel } },
      type: "Opaque",
      data: Object.fromEntries(g.keys.map((k) => [k.key, Buffer.from(ctx.env[k.env]!, "utf8").toString("base64")])),
    };
    const r = await ctx.run("kubectl", ["apply", "--namespace", data.namespace, "-f", "-"], { input: JSON.stringify(secret) });
    if (r.code !== 0) {
      ctx.log(`::error::could not create secret ${g.name}: ${r.stderr.trim()}`);
      return 1;
    }
    ctx.log(`secret ${g.name}: ${g.keys.length} keys`);
  }
  return 0;
}

export async function verifySecretsCommand(ctx: RunnerContext): Promise<number> {
  let missing = 0;
  for (const g of ctx.data.secretGroups) {
    const r = await ctx.run("kubectl", ["get", "secret", g.name, "--namespace", ctx.data.namespace, "-o", "json"]);
    let stored: Record<string, string> = {};
    try {
      if (r.code === 0) stored = (JSON.parse(r.stdout) as { data?: Record<string, string> }).data ?? {};
    } catch {
      stored = {};
    }
    for (const k of g.keys)
      if (!stored[k.key]) {
        ctx.log(`::error::secret ${g.name} has no key ${k.key}`);
        missing++;
      }
  }
  if (missing) ctx.log(`${missing} secret keys are missing`);
  return missing ? 1 : 0;
}

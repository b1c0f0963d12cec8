/**
 * Secrets the manifests read vs the registry's secret groups: every `secretKeyRef` (and
 * `envFrom.secretRef`) names a group and key the workflows create, for a service that declares
 * the group; a registry key no manifest reads is a warning (a leftover, or a typo on one side).
 */
import { isMap, isPair, isScalar, type Node, visit } from "yaml";
import { type Diagnostic, error, listOptions, warning } from "../diagnostics.ts";
import { lineOf } from "./check-source.ts";
import type { AuditContext } from "./context.ts";
import { byCodeUnit } from "../sort-order.ts";

interface SecretUse {
  group: string;
  /** Undefined for `envFrom` (the whole group). */
  key?: string;
  file: string;
  line: number;
  service: string;
  declared: string[];
}

export function secretUses(ctx: AuditContext): SecretUse[] {
  const uses: SecretUse[] = [];
  for (const { file, service } of ctx.serviceManifests) {
    const manifest = ctx.manifest(file);
    if (!manifest || manifest.error) continue;
    for (const doc of manifest.docs) {
      visit(doc.doc, {
        Pair(_, pair) {
          if (!isPair(pair) || !isScalar(pair.key) || !isMap(pair.value)) return;
          const which = pair.key.value;
          if (which !== "secretKeyRef" && which !== "secretRef") return;
          const name = pair.value.get("name");
          const key = pair.value.get("key");
          if (typeof name !== "string") return;
          uses.push({
            group: name,
            ...(which === "secretKeyRef" && typeof key === "string" ? { key } : {}),
            file,
            line: manifest.lineOfOffset((pair.value as Node).range?.[0] ?? 0),
            service: service.name,
            declared: service.secrets ?? [],
          });
        },
      });
    }
  }
  return uses;
}

export function checkSecrets(ctx: AuditContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  const groups = ctx.registry.secretGroups;
  const uses = secretUses(ctx);
  for (const u of uses) {
    // Own keys only: a manifest naming secret "constructor" must not find Object.prototype.constructor.
    const group = Object.hasOwn(groups, u.group) ? groups[u.group] : undefined;
    if (!group) {
      out.push(
        error("AUDIT_SECRET_REF_UNKNOWN", `secret "${u.group}" is not a secret group of the registry (groups: ${listOptions(Object.keys(groups))})`, {
          file: u.file,
          line: u.line,
          fix: `add "${u.group}" to secretGroups in ${ctx.configFile}, or correct the name`,
        }),
      );
      continue;
    }
    if (u.key !== undefined && !Object.hasOwn(group, u.key)) {
      out.push(
        error("AUDIT_SECRET_REF_UNKNOWN", `secret ${u.group} has no key "${u.key}" in the registry (keys: ${listOptions(Object.keys(group))})`, {
          file: u.file,
          line: u.line,
          fix: `add "${u.key}" to secretGroups["${u.group}"] in ${ctx.configFile}, or correct the key`,
        }),
      );
      continue;
    }
    const declared = u.declared.some((d) => d === u.group || (u.key !== undefined && d === `${u.group}/${u.key}`));
    if (!declared)
      out.push(
        error("AUDIT_SECRET_GROUP_NOT_DECLARED", `${u.service} reads ${u.group}${u.key ? `/${u.key}` : ""}, but its registry entry does not list it in secrets: the workflows create a group only for the services that declare it`, {
          file: u.file,
          line: u.line,
          fix: `add "${u.group}" to ${u.service}'s secrets in ${ctx.configFile}`,
        }),
      );
  }
  // Unused keys mean something only when there are manifests to read them.
  if (ctx.serviceManifests.length === 0) return out;
  const used = new Set(uses.map((u) => (u.key === undefined ? u.group : `${u.group}/${u.key}`)));
  for (const [name, keys] of Object.entries(groups).sort(([a], [b]) => byCodeUnit(a, b)))
    for (const key of Object.keys(keys).sort())
      if (!used.has(name) && !used.has(`${name}/${key}`))
        out.push(
          warning("AUDIT_SECRET_KEY_UNUSED", `secret ${name} key "${key}" is created, but no manifest reads it`, {
            file: ctx.configFile,
            path: `secretGroups["${name}"]["${key}"]`,
            ...lineOf(ctx.registryLine("secretGroups", name, key)),
            fix: `remove the key from the registry if nothing needs it, or reference it from a manifest with secretKeyRef { name: ${name}, key: ${key} }`,
          }),
        );
  return out;
}

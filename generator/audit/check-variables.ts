/**
 * `${VAR}` in manifests vs the envsubst step: the workflow renders only the registry's
 * manifestVariables, and only in the files it lists, so any other `${VAR}` reaches the cluster
 * as literal text (an image named `${ACR_SERVER}/…` that never pulls).
 */
import { isScalar, visit } from "yaml";
import { type Diagnostic, error, listOptions } from "../diagnostics.ts";
import type { AuditContext } from "./context.ts";

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export function checkManifestVariables(ctx: AuditContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  const ingress = [...new Set(ctx.plans.map((p) => p.ingressManifest))].filter((f) => ctx.files.exists(f));
  const files = [...new Set([...ctx.serviceManifests.map((m) => m.file), ...ingress])];
  const variablesOf = new Map(ctx.plans.map((p) => [p.environment, new Set(p.manifestVariables.map((v) => v.name))]));
  for (const file of files) {
    const manifest = ctx.manifest(file);
    if (!manifest || manifest.error) continue;
    const applied = ctx.appliedIn(file);
    if (applied.length === 0) continue;
    const rendered = new Set(ctx.renderedIn(file));
    const seen = new Set<string>();
    for (const doc of manifest.docs)
      visit(doc.doc, {
        Scalar(_, node) {
          if (!isScalar(node) || typeof node.value !== "string") return;
          for (const m of node.value.matchAll(VARIABLE)) {
            const name = m[1]!;
            const unrendered = applied.filter((env) => !rendered.has(env));
            const undefinedIn = applied.filter((env) => rendered.has(env) && !variablesOf.get(env)?.has(name));
            if (!unrendered.length && !undefinedIn.length) continue;
            const line = manifest.lineOfOffset(node.range?.[0] ?? 0);
            if (seen.has(`${name}:${line}`)) continue;
            seen.add(`${name}:${line}`);
            const message = unrendered.length
              ? `\${${name}} is never replaced: the workflow of ${unrendered.join(", ")} applies ${file} without rendering it through envsubst`
              : `\${${name}} is not a manifest variable of ${undefinedIn.join(", ")} (defined: ${listOptions([...(variablesOf.get(undefinedIn[0]!) ?? [])])}), so envsubst leaves it as it is`;
            out.push(
              error("AUDIT_MANIFEST_VARIABLE_UNDEFINED", message, {
                file,
                line,
                fix: unrendered.length
                  ? "use a literal value here (only service manifests, cronjobs and jobs are rendered), or move the manifest into a service's folder"
                  : `add ${name} to manifestVariables of ${undefinedIn.map((e) => `environments.${e}`).join(" and ")} in ${ctx.configFile}, or use a literal value`,
              }),
            );
          }
        },
      });
  }
  return out;
}

/**
 * The seed's workload rules: Deployments have resource requests and limits and both probes;
 * CronJobs forbid overlapping runs; images built here are `${ACR_SERVER}/<name>:${IMAGE_TAG}`,
 * never a hard-coded tag (the workflow renders both variables per deploy).
 */
import { type Diagnostic, error } from "../diagnostics.ts";
import type { AuditContext } from "./context.ts";
import { containersOf } from "./manifests.ts";

const RESOURCE_FIELDS = ["requests.cpu", "requests.memory", "limits.cpu", "limits.memory"] as const;

function get(value: unknown, dotted: string): unknown {
  let v = value;
  for (const part of dotted.split(".")) v = typeof v === "object" && v !== null ? (v as Record<string, unknown>)[part] : undefined;
  return v;
}

export function checkWorkloads(ctx: AuditContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  const built = new Set(ctx.registry.services.filter((s) => s.image !== false).map((s) => s.name));
  for (const { file, service } of ctx.serviceManifests) {
    const manifest = ctx.manifest(file);
    if (!manifest || manifest.error) continue;
    for (const doc of manifest.docs) {
      const what = `${doc.kind} ${doc.name ?? ""}`.trim();
      for (const { path, container } of containersOf(doc)) {
        const name = typeof container.name === "string" ? container.name : `#${String(path.at(-1))}`;
        const isInit = path.includes("initContainers");
        if (doc.kind === "Deployment" && !isInit) {
          const missing = RESOURCE_FIELDS.filter((f) => get(container.resources, f) === undefined);
          if (missing.length)
            out.push(
              error("AUDIT_RESOURCES_MISSING", `container ${name} of ${what} has no resources.${missing.join(", resources.")}`, {
                file,
                line: doc.lineAt([...path, "resources"]),
                fix: 'set resources.requests and resources.limits (cpu and memory), e.g. requests { memory: "128Mi", cpu: "100m" }, limits { memory: "512Mi", cpu: "500m" }',
              }),
            );
          const probes = (["readinessProbe", "livenessProbe"] as const).filter((p) => container[p] === undefined);
          if (probes.length)
            out.push(
              error("AUDIT_PROBES_MISSING", `container ${name} of ${what} has no ${probes.join(" and no ")}`, {
                file,
                line: doc.lineAt(path),
                fix: "add readinessProbe and livenessProbe (e.g. httpGet /health on the container port), so a broken pod never receives traffic and is restarted",
              }),
            );
        }
        const image = container.image;
        if (service.image !== false && typeof image === "string") {
          const m = /^\$\{ACR_SERVER\}\/([a-z0-9-]+):\$\{IMAGE_TAG\}$/.exec(image);
          if (!m || !built.has(m[1]!))
            out.push(
              error("AUDIT_IMAGE_HARDCODED", m ? `image ${image} is not built by any service of the registry` : `image "${image}" is hard-coded; the workflow deploys \${ACR_SERVER}/${service.name}:\${IMAGE_TAG}`, {
                file,
                line: doc.lineAt([...path, "image"]),
                fix: `use image: \${ACR_SERVER}/${service.name}:\${IMAGE_TAG} (envsubst fills both in at deploy time)`,
              }),
            );
        }
      }
      if (doc.kind === "CronJob") {
        const policy = get(doc.data, "spec.concurrencyPolicy");
        if (policy !== "Forbid")
          out.push(
            error("AUDIT_CRONJOB_CONCURRENCY", `CronJob ${doc.name ?? ""} has concurrencyPolicy ${policy === undefined ? "unset (Allow)" : String(policy)}: a slow run overlaps the next`, {
              file,
              line: doc.lineAt(["spec", "concurrencyPolicy"]),
              fix: "set spec.concurrencyPolicy: Forbid",
            }),
          );
      }
    }
  }
  return out;
}

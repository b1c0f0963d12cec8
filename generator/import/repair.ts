/**
 * The last guard before anything is written: a value the registry rejects (a name with capitals,
 * a placeholder it does not know, a timeout out of range) is left out of the imported registry
 * and reported at the workflow line it came from, so the written registry always loads and
 * generates. Pure: the registry and the generator's diagnostics in, a smaller registry out.
 */
import type { Diagnostic } from "../diagnostics.ts";
import type { Registry, Service } from "../config/registry.ts";
import { byNaturalOrder } from "../sort-order.ts";

export interface LeftOut {
  /** Registry path of what was removed, e.g. `services[3].buildArgs.API_URL`. */
  path: string;
  /** The service it belonged to, when it was in one. */
  service?: string;
  reason: string;
}

type Segment = string | number;

export function parsePath(path: string): Segment[] {
  const out: Segment[] = [];
  for (const m of path.matchAll(/\.?([A-Za-z_$][\w$-]*)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]/g)) out.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : JSON.parse(`"${m[3]}"`)));
  return out;
}

const SERVICE_FIELDS_TO_TRIM = new Set(["buildArgs", "cronjobs", "jobs", "dependsOn", "secrets", "deployment", "rolloutTimeoutSeconds", "sentry", "sentryProject", "environments", "manifests"]);

/**
 * Removes what each error diagnostic points at. Returns undefined when an error has no registry
 * path the import can remove (project settings): then the import cannot write a registry.
 */
export function removeInvalid(registry: Registry, errors: readonly Diagnostic[]): { registry: Registry; leftOut: LeftOut[] } | undefined {
  const next = structuredClone(registry);
  const leftOut: LeftOut[] = [];
  const droppedServices = new Set<string>();
  // Later array entries first, so removing one does not shift the index of the next.
  for (const d of [...errors].sort((a, b) => byNaturalOrder(b.path ?? "", a.path ?? ""))) {
    const seg = parsePath(d.path ?? "");
    const reason = d.message;
    if (seg[0] === "services" && typeof seg[1] === "number") {
      const service = registry.services[seg[1]];
      if (!service) return undefined;
      const target = next.services.find((s) => s.name === service.name);
      if (!target) continue;
      const field = seg[2];
      if (typeof field === "string" && SERVICE_FIELDS_TO_TRIM.has(field)) {
        trimField(target, field, seg[3]);
        leftOut.push({ path: d.path!, service: service.name, reason });
      } else {
        droppedServices.add(service.name);
        leftOut.push({ path: d.path!, service: service.name, reason: `${reason}; the service was left out` });
      }
    } else if (seg[0] === "environments" && typeof seg[1] === "string" && next.environments[seg[1]]) {
      const env = next.environments[seg[1]]!;
      if (seg[2] === "manifestVariables" && typeof seg[3] === "string") delete env.manifestVariables[seg[3]];
      else if (seg[2] === "domains" && typeof seg[3] === "string") delete env.domains[seg[3]];
      else if (seg[2] === "imageTags" && typeof seg[3] === "number") {
        env.imageTags.splice(seg[3], 1);
        if (!env.imageTags.length) env.imageTags = ["{sha}"];
      } else return undefined;
      leftOut.push({ path: d.path!, reason });
    } else if (seg[0] === "secretGroups" && typeof seg[1] === "string") {
      if (typeof seg[2] === "string") delete next.secretGroups[seg[1]]?.[seg[2]];
      else delete next.secretGroups[seg[1]];
      leftOut.push({ path: d.path!, reason });
    } else return undefined;
  }
  next.services = next.services.filter((s) => !droppedServices.has(s.name));
  for (const s of next.services) {
    if (s.dependsOn) s.dependsOn = s.dependsOn.filter((n) => !droppedServices.has(n));
    if (s.dependsOn && !s.dependsOn.length) delete s.dependsOn;
    if (s.secrets) s.secrets = s.secrets.filter((g) => next.secretGroups[g.split("/")[0]!] !== undefined && (!g.includes("/") || next.secretGroups[g.split("/")[0]!]![g.split("/")[1]!] !== undefined));
    if (s.secrets && !s.secrets.length) delete s.secrets;
  }
  return { registry: next, leftOut };
}

function trimField(service: Service, field: string, key: Segment | undefined): void {
  const record = service as unknown as Record<string, unknown>;
  const value = record[field];
  if (Array.isArray(value) && typeof key === "number") {
    value.splice(key, 1);
    if (!value.length) delete record[field];
  } else if (value && typeof value === "object" && !Array.isArray(value) && typeof key === "string") {
    delete (value as Record<string, unknown>)[key];
    if (!Object.keys(value).length) delete record[field];
  } else delete record[field];
}

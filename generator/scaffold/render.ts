/**
 * The files `add-service` scaffolds, from the templates in `templates/scaffold/`: a Dockerfile
 * (none for infrastructure), the Deployment + Service, and one CronJob per `--cronjob`. Pure:
 * template texts in, `{ path, content }` out.
 */
import type { DeployKind } from "../config/registry.ts";

export const SCAFFOLD_TEMPLATES = {
  serviceDockerfile: "scaffold/service.Dockerfile",
  frontendDockerfile: "scaffold/frontend.Dockerfile",
  deployment: "scaffold/deployment.yaml",
  cronjob: "scaffold/cronjob.yaml",
} as const;

export type ScaffoldTemplateName = keyof typeof SCAFFOLD_TEMPLATES;

export interface NewService {
  name: string;
  kind: DeployKind;
  /** Source folder (`services/<name>` or `apps/<name>`); undefined for infrastructure. */
  path?: string;
  secretKeys: { group: string; key: string }[];
  cronjobs: { name: string; schedule: string }[];
}

export interface ScaffoldFile {
  path: string;
  content: string;
}

const PORT = "3000";

/** `supabase-url` -> `SUPABASE_URL`: the environment variable a secret key becomes. */
export function envNameOf(key: string): string {
  return key.toUpperCase().replace(/[^A-Z0-9]+/g, "_").replace(/^(\d)/, "_$1");
}

/** Replaces `{{name}}`; a line holding only `{{block}}` becomes the block's lines at that indentation (or disappears). */
export function fill(template: string, values: Record<string, string>, blocks: Record<string, string[]>): string {
  const lines = template.split("\n").flatMap((line) => {
    const m = /^(\s*)\{\{(\w+)\}\}\s*$/.exec(line);
    if (m && blocks[m[2]!] !== undefined) return blocks[m[2]!]!.map((b) => `${m[1]}${b}`);
    return [line];
  });
  return lines.join("\n").replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    if (values[key] === undefined) throw new Error(`bug: template placeholder {{${key}}} has no value`);
    return values[key]!;
  });
}

function secretEnv(keys: NewService["secretKeys"]): string[] {
  return keys.flatMap((k) => [`- name: ${envNameOf(k.key)}`, "  valueFrom:", "    secretKeyRef:", `      name: ${k.group}`, `      key: ${k.key}`]);
}

export function scaffoldFiles(service: NewService, namespace: string, manifestsRoot: string, templates: Record<ScaffoldTemplateName, string>): ScaffoldFile[] {
  const built = service.kind !== "infrastructure";
  const values = {
    name: service.name,
    namespace,
    path: service.path ?? "",
    port: PORT,
    image: built ? `\${ACR_SERVER}/${service.name}:\${IMAGE_TAG}` : `${service.name}:latest # an off-the-shelf image: pin its version`,
  };
  const probe = built ? ["httpGet:", "  path: /health", `  port: ${PORT}`] : ["tcpSocket:", `  port: ${PORT}`];
  const podSecurity = built
    ? ["securityContext:", '  # The image\'s USER is "node"; Kubernetes verifies non-root only for a numeric user.', "  runAsNonRoot: true", "  runAsUser: 1000"]
    : ["# An off-the-shelf image: check which user it runs as before adding runAsNonRoot."];
  const blocks = { secretEnv: secretEnv(service.secretKeys), probe, podSecurity };
  const dir = `${manifestsRoot}/${service.name}`;
  const files: ScaffoldFile[] = [];
  if (built && service.path)
    files.push({ path: `${service.path}/Dockerfile`, content: fill(templates[service.kind === "frontend" ? "frontendDockerfile" : "serviceDockerfile"], values, blocks) });
  files.push({ path: `${dir}/deployment.yaml`, content: fill(templates.deployment, values, blocks) });
  for (const c of service.cronjobs) files.push({ path: `${dir}/cronjobs/${c.name}.yaml`, content: fill(templates.cronjob, { ...values, job: c.name, schedule: c.schedule }, blocks) });
  return files;
}

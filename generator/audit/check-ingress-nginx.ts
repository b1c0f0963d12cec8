/**
 * The cluster prerequisites install ingress-nginx, which its maintainers retired in March 2026:
 * no releases, bug fixes or security patches since. It keeps working for the teams that run it,
 * so this is a warning, with the maintained alternatives.
 * https://kubernetes.io/blog/2025/11/11/ingress-nginx-retirement/
 */
import { type Diagnostic, warning } from "../diagnostics.ts";
import { TEMPLATE_FILES } from "../render/templates.ts";
import type { AuditContext } from "./context.ts";

const MENTION = /ingress-nginx/i;

const ALTERNATIVES =
  "move to a maintained controller: a Gateway API implementation (Envoy Gateway, NGINX Gateway Fabric, Istio, Cilium; `ingress2gateway` converts Ingress objects to routes), " +
  "a maintained Ingress controller (Traefik, HAProxy, F5 NGINX Ingress Controller), or on AKS Application Gateway for Containers; then drop the ingress-nginx step";

function firstMention(text: string): number | undefined {
  const i = text.split(/\r?\n/).findIndex((l) => MENTION.test(l) && !l.trimStart().startsWith("#"));
  return i < 0 ? undefined : i + 1;
}

export function checkIngressNginx(ctx: Pick<AuditContext, "files" | "workflows">): Diagnostic[] {
  const message = "the cluster prerequisites install ingress-nginx, retired by its maintainers in March 2026: no further releases, bug fixes or security patches";
  const template = `templates/${TEMPLATE_FILES.clusterPrerequisites}`;
  const text = ctx.files.read(template);
  if (text !== undefined) {
    const line = firstMention(text);
    return line === undefined ? [] : [warning("AUDIT_INGRESS_NGINX_RETIRED", message, { file: template, line, fix: `it keeps working as installed; ${ALTERNATIVES} from ${template}` })];
  }
  // No template in the repository: the workflows use the built-in one; point at what they run.
  return ctx.workflows.flatMap((w) => {
    const line = firstMention(w.content);
    return line === undefined
      ? []
      : [warning("AUDIT_INGRESS_NGINX_RETIRED", message, { file: w.path, line, fix: `it keeps working as installed; ${ALTERNATIVES}: copy the built-in ${template} into the repository and edit it there` })];
  });
}

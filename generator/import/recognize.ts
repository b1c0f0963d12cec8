/**
 * Commands of a hand-written script that the generated workflow already does, or that need no
 * carrying over, each recognized by what it does (in any spelling: inline, in a loop, inside a
 * function) and reported once per kind with the reason. Pure: a command in, a verdict out.
 */
import type { ExecutedCommand } from "./shell-script.ts";

export interface Recognized {
  /** `done`: the generated workflow does it; `not-carried`: dropped on purpose; `control`: shell plumbing, nothing to report. */
  verdict: "done" | "not-carried" | "control";
  kind: string;
  message: string;
}

const READ_ONLY_KUBECTL = new Set(["get", "describe", "logs", "top", "version", "cluster-info", "explain", "api-resources", "api-versions", "diff", "auth", "events"]);
const CONTROL = new Set(["exit", "return", "true", "false", ":", "cd", "pushd", "popd", "read", "shift", "wait", "trap", "unset", "source", ".", "local", "continue", "break", "[", "[[", "test"]);
const CLUSTER_COMPONENT = /ingress-nginx|cert-manager|clusterissuer|cluster-issuer/i;

const DONE = {
  secretCheck: "verifies secret keys (kubectl get secret): done by the generated workflow, which reads every key back after creating the secrets and names each missing one",
  jobDelete: "deletes a one-time job before re-applying it: done by the generated workflow (kubectl delete job --ignore-not-found, then apply, for every registered job)",
  lastApplied:
    "strips the kubectl.kubernetes.io/last-applied-configuration annotation: not needed, the generated deploy applies every service folder from the committed manifests on each run, so the annotation always matches them (stripping it would make kubectl keep fields you removed from a manifest)",
  readOnly: "read-only kubectl (get, describe, logs): not carried over; the generated deploy prints the rollout state of every service and templates/deploy/post-deploy.yml shows the deployment status",
  shellOptions: "`set -e` / `-o pipefail` / `-x`: done by the generated workflow, whose run steps use bash -e -o pipefail",
  clusterPrerequisite: "installs a cluster prerequisite (ingress-nginx, cert-manager, its ClusterIssuer): done by templates/deploy/cluster-prerequisites.yml on every deploy",
  wait: "waits with sleep: not carried over; the generated deploy waits for each rollout with kubectl rollout status and a timeout",
  log: "prints log output (echo, printf): not carried over; the generated deploy names every phase, failure and skipped service in its log and job summary",
  install: "installs build tooling on the runner: not carried over; the generated build runs docker only and the Dockerfile installs what it needs",
  manifestRendering: "renders manifests (envsubst, cp, mv, cat, find): done by the generated workflow, which renders every registered manifest with envsubst and the registry's manifestVariables",
  namespace: "creates the namespace: done by the generated workflow (kubectl create namespace … | kubectl apply -f -); labels or annotations written inline are not carried over, keep them in a committed manifest",
  waitAll: "waits for every deployment of a command's output: done by the generated workflow, which awaits the rollout of every registered Deployment",
  kubectlConfig: "configures kubectl (kubectl config): done by the generated workflow's cluster login (az aks get-credentials)",
} as const;

export const RECOGNIZED_MESSAGES = DONE;

/** What a command is, when the generated workflow makes it unnecessary; undefined when it must be mapped. */
export function recognize(cmd: ExecutedCommand): Recognized | undefined {
  const w = cmd.words;
  const [tool = "", sub = "", obj = ""] = w;
  const all = [w, ...cmd.pipedTo].flat().join(" ");
  if (tool === "set" && w.slice(1).every((x) => /^[-+][euxo]+$/.test(x) || x === "pipefail")) return { verdict: "done", kind: "shell-options", message: DONE.shellOptions };
  if (CONTROL.has(tool)) return { verdict: "control", kind: "control", message: "" };
  if (tool === "echo" || tool === "printf" || cmd.redirectsTo?.some((t) => t.includes("GITHUB_STEP_SUMMARY"))) return { verdict: "not-carried", kind: "log-output", message: DONE.log };
  if (cmd.heredoc && cmd.pipedTo.some((p) => p.join(" ").startsWith("kubectl apply")) && /^\s*kind:\s*Namespace\s*$/m.test(cmd.heredocBody ?? ""))
    return { verdict: "done", kind: "namespace", message: DONE.namespace };
  if (tool === "sleep") return { verdict: "not-carried", kind: "wait", message: DONE.wait };
  if (["pnpm", "npm", "yarn"].includes(tool) && ["install", "i", "ci"].includes(sub)) return { verdict: "not-carried", kind: "tool-install", message: DONE.install };
  if (tool === "curl" && cmd.pipedTo.some((p) => p[0] === "bash" || p[0] === "sh")) return { verdict: "not-carried", kind: "tool-install", message: DONE.install };
  if (["envsubst", "cp", "mv", "cat", "mkdir", "rm", "tee", "ls", "find", "sort"].includes(tool) && !cmd.heredoc) return { verdict: "done", kind: "manifest-rendering", message: DONE.manifestRendering };
  if (tool === "helm" && /ingress-nginx|cert-manager|jetstack/.test(all)) return { verdict: "done", kind: "cluster-prerequisite", message: DONE.clusterPrerequisite };
  if (tool !== "kubectl") return undefined;
  if (sub === "config") return { verdict: "done", kind: "kubectl-config", message: DONE.kubectlConfig };
  if ((sub === "get" || sub === "describe") && /^secrets?$/.test(obj)) return { verdict: "done", kind: "secret-check", message: DONE.secretCheck };
  if (sub === "annotate" && w.some((x) => x === "kubectl.kubernetes.io/last-applied-configuration-")) return { verdict: "done", kind: "last-applied", message: DONE.lastApplied };
  if (sub === "delete" && /^(jobs?|jobs?\.batch)$/.test(obj)) return { verdict: "done", kind: "job-delete", message: DONE.jobDelete };
  if (sub === "delete" && /^job(s|\.batch)?\//.test(obj)) return { verdict: "done", kind: "job-delete", message: DONE.jobDelete };
  if (sub === "wait" && w.some((x) => /^(job|jobs)(\/|$)/.test(x) || x.includes("condition=complete"))) return { verdict: "done", kind: "job-delete", message: DONE.jobDelete };
  if (READ_ONLY_KUBECTL.has(sub) || (sub === "rollout" && obj === "history")) return { verdict: "not-carried", kind: "read-only", message: DONE.readOnly };
  if (sub === "wait") return { verdict: "not-carried", kind: "wait", message: DONE.wait };
  if (sub === "rollout" && obj === "status" && cmd.guard && !w.some((x) => /^(deployment|deploy)\/[a-z0-9-]+$/.test(x)))
    return { verdict: "done", kind: "wait-all", message: DONE.waitAll };
  if (sub === "create" && (obj === "namespace" || obj === "ns") && CLUSTER_COMPONENT.test(w[3] ?? "")) return { verdict: "done", kind: "cluster-prerequisite", message: DONE.clusterPrerequisite };
  if (sub === "apply" && CLUSTER_COMPONENT.test(all) && applyTargets(w).every((p) => /^https?:\/\//.test(p) || CLUSTER_COMPONENT.test(p)) && applyTargets(w).length > 0)
    return { verdict: "done", kind: "cluster-prerequisite", message: DONE.clusterPrerequisite };
  if (sub === "rollout" && obj === "status" && CLUSTER_COMPONENT.test(all)) return { verdict: "done", kind: "cluster-prerequisite", message: DONE.clusterPrerequisite };
  return undefined;
}

/** `kubectl apply -f a -f b` -> [a, b]. */
export function applyTargets(words: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 2; i < words.length; i++) {
    if (words[i] === "-f" || words[i] === "--filename") out.push(words[++i] ?? "");
    else if (words[i]!.startsWith("--filename=") || words[i]!.startsWith("-f=")) out.push(words[i]!.split("=").slice(1).join("="));
  }
  return out.filter((p) => p && p !== "-");
}

/** A guard (`if ! kubectl get namespace x`) that only checks whether something exists. */
export function isExistenceGuard(text: string): boolean {
  return /\bkubectl\s+get\b|\bhelm\s+(status|list|ls)\b/.test(text);
}

export const GUARD_MESSAGE =
  "installs something only if it is absent (if ! kubectl get …): done by the generated workflow, which applies namespaces and cluster prerequisites on every deploy (kubectl apply is idempotent)";

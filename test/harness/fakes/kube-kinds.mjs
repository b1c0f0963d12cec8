// @ts-check
/** Kubernetes kind names as kubectl accepts and prints them. */

/** @type {Record<string, string>} */
const ALIASES = {
  secret: "Secret", secrets: "Secret",
  configmap: "ConfigMap", configmaps: "ConfigMap", cm: "ConfigMap",
  namespace: "Namespace", namespaces: "Namespace", ns: "Namespace",
  deployment: "Deployment", deployments: "Deployment", deploy: "Deployment", "deployment.apps": "Deployment", "deployments.apps": "Deployment",
  statefulset: "StatefulSet", statefulsets: "StatefulSet", sts: "StatefulSet",
  daemonset: "DaemonSet", daemonsets: "DaemonSet", ds: "DaemonSet",
  service: "Service", services: "Service", svc: "Service",
  ingress: "Ingress", ingresses: "Ingress", ing: "Ingress",
  pod: "Pod", pods: "Pod", po: "Pod",
  job: "Job", jobs: "Job",
  cronjob: "CronJob", cronjobs: "CronJob", cj: "CronJob",
  horizontalpodautoscaler: "HorizontalPodAutoscaler", horizontalpodautoscalers: "HorizontalPodAutoscaler", hpa: "HorizontalPodAutoscaler",
  persistentvolumeclaim: "PersistentVolumeClaim", persistentvolumeclaims: "PersistentVolumeClaim", pvc: "PersistentVolumeClaim",
  serviceaccount: "ServiceAccount", serviceaccounts: "ServiceAccount", sa: "ServiceAccount",
  poddisruptionbudget: "PodDisruptionBudget", poddisruptionbudgets: "PodDisruptionBudget", pdb: "PodDisruptionBudget",
};

const CLUSTER_SCOPED = new Set([
  "Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "PersistentVolume",
  "StorageClass", "IngressClass", "ClusterIssuer", "PriorityClass",
]);

/** Group suffix kubectl prints after the resource name, e.g. `deployment.apps/api`. */
/** @type {Record<string, string>} */
const GROUPS = {
  Deployment: "apps", StatefulSet: "apps", DaemonSet: "apps", ReplicaSet: "apps",
  Ingress: "networking.k8s.io", Job: "batch", CronJob: "batch", HorizontalPodAutoscaler: "autoscaling",
};

/**
 * @param {string} word as typed on the command line ("deploy", "secrets", "Secret")
 * @param {readonly string[]} knownKinds kinds present in the fake cluster, for custom resources
 */
export function canonicalKind(word, knownKinds = []) {
  const lower = word.toLowerCase();
  // `cronjob.batch`, `ingress.networking.k8s.io`: the resource with its API group, as kubectl prints it.
  const alias = ALIASES[lower] ?? ALIASES[lower.slice(0, lower.indexOf(".") === -1 ? undefined : lower.indexOf("."))];
  if (alias) return alias;
  const known = knownKinds.find((k) => [k.toLowerCase(), `${k.toLowerCase()}s`].includes(lower));
  return known ?? word.charAt(0).toUpperCase() + word.slice(1);
}

/** @param {string} kind */
export function isClusterScoped(kind) {
  return CLUSTER_SCOPED.has(kind);
}

/**
 * `secret`, `deployment.apps`: the resource prefix of kubectl's "kind/name created" lines.
 * @param {string} kind
 */
export function resourceLabel(kind) {
  const group = GROUPS[kind];
  return group ? `${kind.toLowerCase()}.${group}` : kind.toLowerCase();
}

/**
 * `secrets`, `deployments.apps`: the plural form used in NotFound errors.
 * @param {string} kind
 */
export function pluralLabel(kind) {
  const lower = kind.toLowerCase();
  const plural = lower.endsWith("s") ? `${lower}es` : lower.endsWith("y") ? `${lower.slice(0, -1)}ies` : `${lower}s`;
  const group = GROUPS[kind];
  return group ? `${plural}.${group}` : plural;
}

/**
 * The registry's shape, checked strictly when it is loaded: unknown keys are errors (a typo in a
 * field name must not silently drop a setting). `parseRegistry` turns zod issues into
 * diagnostics that carry the registry path and list the valid options.
 */
import { z } from "zod";
import { type Diagnostic, error, formatPath, listOptions, type DiagnosticCode } from "./diagnostics.ts";
import type { Registry } from "./registry.ts";

/** A Kubernetes object name (RFC 1123 label). */
const kubernetesName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be a Kubernetes name: lower case letters, digits and '-', starting and ending with a letter or digit")
  .max(63);
const secretName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be a GitHub secret name: letters, digits and '_', not starting with a digit");
const envVarName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name: letters, digits and '_'");
const relativePath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith("/") && !p.split("/").includes(".."), "must be a path relative to the repository root, without '..'");

const secretRef = z.strictObject({ secret: secretName });
const scalarValue = z.union([z.string(), secretRef]);
const value = z.union([z.string(), secretRef, z.strictObject({ byEnvironment: z.record(z.string(), scalarValue) })]);

const azureLogin = z.discriminatedUnion("method", [
  z.strictObject({
    method: z.literal("oidc"),
    clientIdSecret: secretName,
    tenantIdSecret: secretName,
    subscriptionIdSecret: secretName,
  }),
  z.strictObject({ method: z.literal("credentials"), credentialsSecret: secretName }),
]);

const project = z.strictObject({
  namespace: kubernetesName,
  versionFile: relativePath.optional(),
  manifestsRoot: relativePath.optional(),
  containerRegistry: z.strictObject({ nameSecret: secretName, loginServerSecret: secretName }),
  cluster: z.strictObject({ resourceGroupSecret: secretName, nameSecret: secretName }),
  azureLogin: azureLogin.optional(),
  sentry: z.strictObject({ organization: z.string().min(1), authTokenSecret: secretName.optional() }).optional(),
  actionPins: z
    .record(
      z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_./-]+$/, "must be an action as owner/repo[/path]"),
      z.strictObject({ sha: z.string().regex(/^[0-9a-f]{40}$/, "must be a full 40-character commit SHA"), version: z.string().min(1) }),
    )
    .optional(),
});

const environment = z.strictObject({
  branch: z.string().min(1),
  workflowFile: relativePath.refine((p) => /^\.github\/workflows\/[^/]+\.ya?ml$/.test(p), "must be a file in .github/workflows/ ending in .yml or .yaml"),
  workflowName: z.string().min(1),
  githubEnvironment: z.string().min(1),
  imageTags: z.array(z.string().regex(/^[A-Za-z0-9_.{}-]+$/, "must be a Docker tag, with {sha} or {version} placeholders")).min(1),
  sentryEnvironment: z.string().min(1),
  sentryReleaseSuffix: z.string().regex(/^[A-Za-z0-9_.-]*$/).optional(),
  domains: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/), z.string().regex(/^[a-z0-9.-]+$/, "must be a host name")),
  ingressManifest: relativePath,
  manifestVariables: z.record(envVarName, value),
});

const cronJob = z.strictObject({
  name: kubernetesName,
  schedule: z.string().optional(),
  environments: z.array(z.string()).optional(),
});
const oneTimeJob = z.strictObject({ name: kubernetesName, environments: z.array(z.string()).optional() });

const service = z.strictObject({
  name: kubernetesName,
  kind: z.enum(["infrastructure", "backend", "gateway", "frontend"]),
  path: relativePath.optional(),
  image: z.boolean().optional(),
  dependsOn: z.array(z.string()).optional(),
  manifests: relativePath.optional(),
  deployment: kubernetesName.optional(),
  cronjobs: z.array(cronJob).optional(),
  jobs: z.array(oneTimeJob).optional(),
  sentry: z.boolean().optional(),
  sentryProject: z.string().min(1).optional(),
  buildArgs: z.record(envVarName, value).optional(),
  secrets: z.array(z.string()).optional(),
  rolloutTimeoutSeconds: z.number().int().min(1).max(3600).optional(),
  environments: z.array(z.string()).optional(),
});

export const registrySchema = z.strictObject({
  project,
  environments: z.record(kubernetesName, environment).refine((e) => Object.keys(e).length > 0, "needs at least one environment"),
  secretGroups: z.record(kubernetesName, z.record(z.string().regex(/^[-._a-zA-Z0-9]+$/, "must be a Kubernetes secret key"), secretName)),
  services: z.array(service),
});

// The hand-written types in registry.ts (which carry the JSDoc) and the schema must agree.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemaMatchesTypes: Same<z.infer<typeof registrySchema>, Registry> = true;
void schemaMatchesTypes;

/** unknown -> Registry, or one diagnostic per schema problem. */
export function parseRegistry(input: unknown, file: string): { registry?: Registry; diagnostics: Diagnostic[] } {
  const result = registrySchema.safeParse(input, { reportInput: true });
  if (result.success) return { registry: result.data, diagnostics: [] };
  return { diagnostics: result.error.issues.flatMap((issue) => issueToDiagnostics(issue, [], file)) };
}

type Issue = z.core.$ZodIssue;

function issueToDiagnostics(issue: Issue, prefix: PropertyKey[], file: string): Diagnostic[] {
  const segments = [...prefix, ...issue.path];
  const path = formatPath(segments);
  const at = (code: DiagnosticCode, message: string, fix = DEFAULT_FIX[code]): Diagnostic[] => [error(code, message, { file, path: path || "(root)", fix })];
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((key) =>
        error("CONFIG_UNKNOWN_KEY", `unknown key "${key}"`, {
          file,
          path: formatPath([...segments, key]),
          fix: `remove it or correct the spelling (valid keys: ${listOptions(knownKeys(segments))})`,
        }),
      );
    case "invalid_type":
      return issue.input === undefined
        ? at("CONFIG_INVALID_TYPE", `is required (${issue.expected})`, `add ${formatPath(segments.slice(-1)) || "it"}: see its documentation in generator/registry.ts`)
        : at("CONFIG_INVALID_TYPE", `expected ${issue.expected}, got ${describe(issue.input)}`, `write a ${issue.expected} here`);
    case "invalid_value":
      return at("CONFIG_INVALID_VALUE", `${describe(issue.input)} is not valid (valid: ${issue.values.map((v) => JSON.stringify(v)).join(", ")})`);
    case "invalid_format":
    case "custom":
      return at(issue.code === "custom" ? "CONFIG_INVALID" : "CONFIG_INVALID_FORMAT", `${describe(issue.input)} ${issue.message}`);
    case "too_small":
    case "too_big":
      return at("CONFIG_OUT_OF_RANGE", issue.message);
    case "invalid_union": {
      // Report the alternative that got furthest: the one whose first issue has the longest path.
      if ("note" in issue && issue.note === "No matching discriminator") {
        return at("CONFIG_INVALID_VALUE", `${describe(issue.input)} has no valid "${issue.discriminator}" (valid: oidc, credentials)`);
      }
      const branches = issue.errors.filter((b) => b.length > 0);
      const best = [...branches].sort((a, b) => depth(b) - depth(a))[0];
      if (best && depth(best) > 0) return best.flatMap((i) => issueToDiagnostics(i, segments, file));
      return at("CONFIG_INVALID_TYPE", `expected a string or { secret: "NAME" } or { byEnvironment: { … } }, got ${describe(issue.input)}`);
    }
    default:
      return at("CONFIG_INVALID", issue.message);
  }
}

const DEFAULT_FIX: Partial<Record<DiagnosticCode, string>> = {
  CONFIG_INVALID_VALUE: "use one of the valid values",
  CONFIG_INVALID_FORMAT: "correct the value to the format described",
  CONFIG_OUT_OF_RANGE: "use a value within the range",
  CONFIG_INVALID: "correct the value as described",
  CONFIG_INVALID_TYPE: "correct the value's type",
};

function depth(issues: readonly Issue[]): number {
  return Math.max(...issues.map((i) => i.path.length + (i.code === "unrecognized_keys" ? 1 : 0)));
}

function describe(input: unknown): string {
  if (input === undefined) return "nothing";
  if (input === null) return "null";
  if (Array.isArray(input)) return "an array";
  if (typeof input === "object") return "an object";
  return JSON.stringify(input);
}

/** The valid keys at a registry path, for "unknown key" messages. */
function knownKeys(segments: readonly PropertyKey[]): string[] {
  const shape = shapeAt(registrySchema, segments);
  return shape ? Object.keys(shape) : [];
}

function shapeAt(schema: z.ZodType, segments: readonly PropertyKey[]): Record<string, z.ZodType> | undefined {
  let current: z.ZodType | undefined = schema;
  for (const segment of segments) {
    current = unwrap(current);
    if (current instanceof z.ZodObject) current = (current.shape as Record<string, z.ZodType>)[String(segment)];
    else if (current instanceof z.ZodArray) current = current.element as z.ZodType;
    else if (current instanceof z.ZodRecord) current = current.valueType as z.ZodType;
    else return undefined;
  }
  current = unwrap(current);
  return current instanceof z.ZodObject ? (current.shape as Record<string, z.ZodType>) : undefined;
}

function unwrap(schema: z.ZodType | undefined): z.ZodType | undefined {
  let s = schema;
  while (s instanceof z.ZodOptional || s instanceof z.ZodPipe) s = s instanceof z.ZodOptional ? (s.unwrap() as z.ZodType) : (s.in as z.ZodType);
  return s;
}

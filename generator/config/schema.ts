/**
 * The registry's shape, checked strictly when it is loaded: unknown keys are errors (a typo in a
 * field name must not silently drop a setting). `parseRegistry` turns zod issues into
 * diagnostics that carry the registry path and list the valid options.
 *
 * zod/mini, not classic zod: the same checks in a 50 KB bundle instead of 750 KB, which is most
 * of the start-up time of `--check` in a pre-commit hook.
 */
import * as z from "zod/mini";
import { type Diagnostic, error, formatPath, listOptions, type DiagnosticCode } from "../diagnostics.ts";
import { describeValue, truncate } from "../describe.ts";
import type { Registry } from "./registry.ts";
import { snapshotRegistry } from "./snapshot.ts";

/**
 * Names that are properties of every JavaScript object (`constructor`, `__proto__`,
 * `hasOwnProperty`…). A registry key of that name would be found on any object's prototype (a
 * secret group "constructor" that exists without being defined) or would vanish (`__proto__`
 * sets the prototype instead of a key), so every name that becomes a key is refused.
 */
export const RESERVED_NAMES: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));
const notReserved = z.refine<string>((name) => !RESERVED_NAMES.has(name), {
  message: "is a name every JavaScript object already has, so it cannot name anything in the registry",
  params: { code: "CONFIG_RESERVED_NAME" },
});
/**
 * Text written into a workflow as it is (a name, a branch, a value). `${{` would be evaluated by
 * GitHub as an expression (it could read any secret), and a line break or control character ends
 * the YAML scalar or the shell word it is in; neither can ever be meant.
 */
const isWorkflowText = (s: string): boolean => !s.includes("${{") && !/[\u0000-\u001f\u007f]/.test(s);
const workflowText = () =>
  z.string().check(z.refine(isWorkflowText, { message: "must not contain a ${{ }} expression, a line break or a control character: it is written into the workflow as it is", params: { code: "CONFIG_INVALID_FORMAT" } }));

const nonEmpty = () => workflowText().check(z.minLength(1, "must not be empty"));
/** A Kubernetes object name (RFC 1123 label). */
const kubernetesName = z
  .string()
  .check(
    z.regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be a Kubernetes name: lower case letters, digits and '-', starting and ending with a letter or digit"),
    z.maxLength(63, "must be at most 63 characters (a Kubernetes name)"),
    notReserved,
  );
const secretName = z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be a GitHub secret name: letters, digits and '_', not starting with a digit"), notReserved);
const envVarName = z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name: letters, digits and '_'"), notReserved);
const relativePath = z
  .string()
  .check(
    z.minLength(1, "must not be empty"),
    z.refine(isWorkflowText, { message: "must not contain a ${{ }} expression, a line break or a control character", params: { code: "CONFIG_INVALID_FORMAT" } }),
    z.refine((p: string) => !p.startsWith("/") && !p.split("/").includes(".."), "must be a path relative to the repository root, without '..'"),
  );

const secretRef = z.strictObject({ secret: secretName });
const scalarValue = z.union([workflowText(), secretRef]);
const value = z.union([workflowText(), secretRef, z.strictObject({ byEnvironment: z.record(z.string().check(notReserved), scalarValue) })]);
// A secret without `public: true` passes the schema and is refused by the rule secretBuildArgs,
// whose message can name the fix (buildSecrets) better than a union mismatch could.
const buildArgSecretRef = z.strictObject({ secret: secretName, public: z.optional(z.boolean()) });
const buildArgScalar = z.union([workflowText(), buildArgSecretRef]);
const buildArgValue = z.union([workflowText(), buildArgSecretRef, z.strictObject({ byEnvironment: z.record(z.string().check(notReserved), buildArgScalar) })]);

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
  versionFile: z.optional(relativePath),
  manifestsRoot: z.optional(relativePath),
  containerRegistry: z.strictObject({ nameSecret: secretName, loginServerSecret: secretName, perEnvironment: z.optional(z.boolean()) }),
  cluster: z.strictObject({ resourceGroupSecret: secretName, nameSecret: secretName, entraId: z.optional(z.boolean()) }),
  azureLogin: z.optional(azureLogin),
  sentry: z.optional(z.strictObject({ organization: nonEmpty(), authTokenSecret: z.optional(secretName) })),
  auditIgnore: z.optional(z.array(relativePath)),
  actionPins: z.optional(
    z.record(
      z.string().check(z.regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_./-]+$/, "must be an action as owner/repo[/path]")),
      z.strictObject({ sha: z.string().check(z.regex(/^[0-9a-f]{40}$/, "must be a full 40-character commit SHA")), version: nonEmpty() }),
    ),
  ),
  affectedBuilds: z.optional(z.boolean()),
  rollback: z.optional(z.enum(["changed", "failed", "none"])),
  prune: z.optional(z.boolean()),
  maxParallelRollouts: z.optional(z.int().check(z.minimum(1, "must be at least 1"), z.maximum(256, "must be at most 256"))),
});

const environment = z.strictObject({
  branch: nonEmpty().check(z.refine((b: string) => !b.includes(" "), { message: "must be a branch name (or pattern): no spaces", params: { code: "CONFIG_INVALID_FORMAT" } })),
  workflowFile: relativePath.check(z.refine((p: string) => /^\.github\/workflows\/[^/]+\.ya?ml$/.test(p), "must be a file in .github/workflows/ ending in .yml or .yaml")),
  workflowName: nonEmpty(),
  githubEnvironment: nonEmpty(),
  imageTags: z.array(z.string().check(z.regex(/^[A-Za-z0-9_.{}-]+$/, "must be a Docker tag, with {sha} or {version} placeholders"))).check(z.minLength(1, "needs at least one tag")),
  sentryEnvironment: nonEmpty(),
  sentryReleaseSuffix: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_.-]*$/, "may hold only letters, digits, '.', '_' and '-'"))),
  domains: z.record(z.string().check(z.regex(/^[A-Za-z][A-Za-z0-9_-]*$/, "must be a domain key: a letter, then letters, digits, '_' or '-'"), notReserved), z.string().check(z.regex(/^[a-z0-9.-]+$/, "must be a host name"))),
  ingressManifest: relativePath,
  manifestVariables: z.record(envVarName, value),
});

const cronJob = z.strictObject({
  name: kubernetesName,
  schedule: z.optional(workflowText()),
  environments: z.optional(z.array(z.string().check(notReserved))),
});
const oneTimeJob = z.strictObject({ name: kubernetesName, environments: z.optional(z.array(z.string().check(notReserved))) });

/** `group` or `group/key`: a secret group name, optionally one of its keys. */
const secretGroupKey = /^[-._a-zA-Z0-9]+$/;
const secretReference = z
  .string()
  .check(
    z.regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\/[-._a-zA-Z0-9]+)?$/, 'must be a secret reference: "<group>" or "<group>/<key>"'),
    z.refine((ref: string) => !ref.split("/").some((part) => RESERVED_NAMES.has(part)), {
      message: "names a group or key every JavaScript object already has, so it cannot name anything in the registry",
      params: { code: "CONFIG_RESERVED_NAME" },
    }),
  );

const service = z.strictObject({
  name: kubernetesName,
  kind: z.enum(["infrastructure", "backend", "gateway", "frontend"]),
  path: z.optional(relativePath),
  image: z.optional(z.boolean()),
  dependsOn: z.optional(z.array(z.string().check(notReserved))),
  manifests: z.optional(relativePath),
  deployment: z.optional(z.union([kubernetesName, z.array(kubernetesName).check(z.minLength(1, "must name at least one Deployment"))])),
  cronjobs: z.optional(z.array(cronJob)),
  jobs: z.optional(z.array(oneTimeJob)),
  sentry: z.optional(z.boolean()),
  sentryProject: z.optional(nonEmpty()),
  buildArgs: z.optional(z.record(envVarName, buildArgValue)),
  buildSecrets: z.optional(z.record(envVarName, secretName)),
  secrets: z.optional(z.array(secretReference)),
  rolloutTimeoutSeconds: z.optional(z.int().check(z.minimum(1, "must be at least 1 second"), z.maximum(3600, "must be at most 3600 seconds"))),
  environments: z.optional(z.array(z.string().check(notReserved))),
});

export const registrySchema = z.strictObject({
  project,
  environments: z.record(kubernetesName, environment).check(z.refine((e: object) => Object.keys(e).length > 0, "needs at least one environment")),
  secretGroups: z.record(kubernetesName, z.record(z.string().check(z.regex(secretGroupKey, "must be a Kubernetes secret key"), notReserved), secretName)),
  services: z.array(service),
});

// The hand-written types in registry.ts (which carry the JSDoc) and the schema must agree.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemaMatchesTypes: Same<z.infer<typeof registrySchema>, Registry> = true;
void schemaMatchesTypes;

/** unknown -> Registry, or one diagnostic per schema problem. */
export function parseRegistry(input: unknown, file: string): { registry?: Registry; diagnostics: Diagnostic[] } {
  // The schema sees plain data only: getters, proxies and cycles are the registry's mistakes,
  // reported here, never exceptions inside zod.
  const snapshot = snapshotRegistry(input, file);
  if (snapshot.diagnostics.length) return { diagnostics: snapshot.diagnostics };
  const result = registrySchema.safeParse(snapshot.data, { reportInput: true });
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
        error("CONFIG_UNKNOWN_KEY", `unknown key ${JSON.stringify(truncate(key))}`, {
          file,
          path: formatPath([...segments, key]),
          fix: `remove it or correct the spelling (valid keys: ${listOptions(knownKeys(segments))})`,
        }),
      );
    case "invalid_type":
      return issue.input === undefined
        ? at("CONFIG_INVALID_TYPE", `is required (${issue.expected})`, `add ${formatPath(segments.slice(-1)) || "it"}: see its documentation in generator/config/registry.ts`)
        : at("CONFIG_INVALID_TYPE", `expected ${issue.expected}, got ${describe(issue.input)}`, `write a ${issue.expected} here`);
    case "invalid_value":
      return at("CONFIG_INVALID_VALUE", `${describe(issue.input)} is not valid (valid: ${issue.values.map((v) => JSON.stringify(v)).join(", ")})`);
    case "invalid_format":
      return at("CONFIG_INVALID_FORMAT", `${describe(issue.input)} ${issue.message}`);
    case "custom": {
      const code = (issue.params as { code?: DiagnosticCode } | undefined)?.code ?? "CONFIG_INVALID";
      return at(code, `${describe(issue.input)} ${issue.message}`, code === "CONFIG_RESERVED_NAME" ? "choose another name (a Kubernetes or environment name of your own)" : DEFAULT_FIX[code]);
    }
    case "too_small":
    case "too_big":
      return at("CONFIG_OUT_OF_RANGE", `${describe(issue.input)} ${issue.message}`);
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
    case "invalid_key":
      // A record key that fails its own check: report what the key check said, at the key.
      return issue.issues.flatMap((inner) => issueToDiagnostics({ ...inner, path: [] } as Issue, segments, file));
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

const describe = describeValue;

/** The valid keys at a registry path, for "unknown key" messages. */
function knownKeys(segments: readonly PropertyKey[]): string[] {
  let def = defOf(registrySchema);
  for (const segment of segments) {
    if (!def) return [];
    if (def.type === "object") def = defOf(def.shape?.[String(segment)]);
    else if (def.type === "array") def = defOf(def.element);
    else if (def.type === "record") def = defOf(def.valueType);
    else return [];
  }
  return def?.type === "object" && def.shape ? Object.keys(def.shape) : [];
}

interface SchemaDef {
  type: string;
  shape?: Record<string, z.ZodMiniType>;
  element?: z.ZodMiniType;
  valueType?: z.ZodMiniType;
  innerType?: z.ZodMiniType;
}

/** A schema's definition, seen through optional wrappers. */
function defOf(schema: z.ZodMiniType | undefined): SchemaDef | undefined {
  let def = schema?._zod.def as SchemaDef | undefined;
  while (def?.type === "optional" && def.innerType) def = def.innerType._zod.def as SchemaDef;
  return def;
}

/**
 * Cross-field rules the schema cannot express. Each rule is a named function
 * `(registry, file) -> Diagnostic[]`, so a table test can drive each one alone.
 */
import { type Diagnostic, error, listOptions, warning } from "../diagnostics.ts";
import { placeholdersIn, VALUE_PLACEHOLDERS, TAG_PLACEHOLDERS } from "./placeholders.ts";
import { resolveValue } from "../plan/plan.ts";
import type { BuildArgValue, Registry, Service, Value } from "./registry.ts";
import { KIND_ORDER } from "./kinds.ts";

type Rule = (registry: Registry, file: string) => Diagnostic[];

const duplicateServiceNames: Rule = (registry, file) => {
  const seen = new Map<string, number>();
  const out: Diagnostic[] = [];
  registry.services.forEach((service, i) => {
    const first = seen.get(service.name);
    if (first === undefined) seen.set(service.name, i);
    else
      out.push(
        error("SERVICE_DUPLICATE_NAME", `service "${service.name}" is already defined at services[${first}]`, {
          file,
          path: `services[${i}].name`,
          fix: "give each service a unique name, or merge the two entries",
        }),
      );
  });
  return out;
};

const servicePaths: Rule = (registry, file) => {
  const out: Diagnostic[] = [];
  const seen = new Map<string, string>();
  registry.services.forEach((service, i) => {
    const built = service.image !== false;
    if (built && !service.path) {
      out.push(
        error("SERVICE_PATH_REQUIRED", `service "${service.name}" builds an image but has no path`, {
          file,
          path: `services[${i}]`,
          fix: `add path: "services/${service.name}" (or apps/${service.name}), or image: false for an off-the-shelf image`,
        }),
      );
    }
    if (service.path) {
      const other = seen.get(service.path);
      if (other)
        out.push(
          error("SERVICE_DUPLICATE_PATH", `path "${service.path}" is also the path of "${other}"`, { file, path: `services[${i}].path`, fix: "each service builds its own folder" }),
        );
      else seen.set(service.path, service.name);
    }
    if (!built) {
      for (const key of ["buildArgs", "buildSecrets", "sentry", "sentryProject"] as const) {
        if (service[key] !== undefined && service[key] !== false) {
          out.push(
            error("SERVICE_BUILD_OPTION_WITHOUT_IMAGE", `"${key}" needs a built image, but "${service.name}" has image: false`, {
              file,
              path: `services[${i}].${key}`,
              fix: `remove ${key}, or build an image (drop image: false and set path)`,
            }),
          );
        }
      }
    }
  });
  return out;
};

const unknownDependencies: Rule = (registry, file) => {
  const names = registry.services.map((s) => s.name);
  const known = new Set(names);
  const out: Diagnostic[] = [];
  registry.services.forEach((service, i) =>
    service.dependsOn?.forEach((dep, j) => {
      if (!known.has(dep))
        out.push(
          error("SERVICE_UNKNOWN_DEPENDENCY", `unknown service "${dep}" (known: ${listOptions(names.filter((n) => n !== service.name))})`, {
            file,
            path: `services[${i}].dependsOn[${j}]`,
            fix: "name a service defined in services, or remove the dependency",
          }),
        );
    }),
  );
  return out;
};

/** A dependency on a service of a later kind would deploy against the kind order. */
const dependencyKindOrder: Rule = (registry, file) => {
  const byName = new Map(registry.services.map((s) => [s.name, s]));
  const out: Diagnostic[] = [];
  registry.services.forEach((service, i) =>
    service.dependsOn?.forEach((dep, j) => {
      const target = byName.get(dep);
      if (target && KIND_ORDER.indexOf(target.kind) > KIND_ORDER.indexOf(service.kind))
        out.push(
          error("SERVICE_DEPENDS_ON_LATER_KIND", `${service.kind} "${service.name}" depends on ${target.kind} "${dep}", which deploys later (order: ${KIND_ORDER.join(" -> ")})`, {
            file,
            path: `services[${i}].dependsOn[${j}]`,
            fix: `remove the dependency, or change the kind of "${service.name}" or "${dep}"`,
          }),
        );
    }),
  );
  return out;
};

const dependencyCycles: Rule = (registry, file) => {
  const byName = new Map(registry.services.map((s, i) => [s.name, { service: s, index: i }]));
  const state = new Map<string, "visiting" | "done">();
  const cycles: string[][] = [];
  const visit = (name: string, trail: string[]): void => {
    if (state.get(name) === "done") return;
    if (state.get(name) === "visiting") {
      cycles.push([...trail.slice(trail.indexOf(name)), name]);
      return;
    }
    state.set(name, "visiting");
    for (const dep of byName.get(name)?.service.dependsOn ?? []) if (byName.has(dep)) visit(dep, [...trail, name]);
    state.set(name, "done");
  };
  for (const name of byName.keys()) visit(name, []);
  return cycles.map((cycle) => {
    const first = byName.get(cycle[0]!)!;
    return error("SERVICE_DEPENDENCY_CYCLE", `dependency cycle: ${cycle.join(" -> ")}`, {
      file,
      path: `services[${first.index}].dependsOn`,
      fix: "remove one of these dependencies: services in a cycle cannot be deployed in order",
    });
  });
};

const environmentsKnown: Rule = (registry, file) => {
  const envs = Object.keys(registry.environments);
  const out: Diagnostic[] = [];
  const check = (list: string[] | undefined, path: string): void =>
    list?.forEach((env, k) => {
      if (!envs.includes(env))
        out.push(error("ENVIRONMENT_UNKNOWN", `unknown environment "${env}" (known: ${listOptions(envs)})`, { file, path: `${path}[${k}]`, fix: "name an environment defined in environments" }));
    });
  registry.services.forEach((s, i) => {
    check(s.environments, `services[${i}].environments`);
    s.cronjobs?.forEach((c, j) => check(c.environments, `services[${i}].cronjobs[${j}].environments`));
    s.jobs?.forEach((c, j) => check(c.environments, `services[${i}].jobs[${j}].environments`));
  });
  const files = new Map<string, string>();
  // Each environment also writes `<workflow>-rollback.yml` (render/rollback-workflow.ts).
  for (const [name, env] of Object.entries(registry.environments)) files.set(env.workflowFile.replace(/\.(ya?ml)$/, "-rollback.$1"), `environment "${name}" (its rollback workflow)`);
  for (const [name, env] of Object.entries(registry.environments)) {
    const other = files.get(env.workflowFile);
    if (other)
      out.push(
        error("ENVIRONMENT_DUPLICATE_WORKFLOW_FILE", `workflow file "${env.workflowFile}" is also written by ${other}`, {
          file,
          path: `environments.${name}.workflowFile`,
          fix: "give each environment its own workflow file",
        }),
      );
    else files.set(env.workflowFile, `environment "${name}"`);
  }
  return out;
};

/** A dependency must be deployed wherever its dependant is, or the rollout order means nothing. */
const dependenciesDeployed: Rule = (registry, file) => {
  const all = Object.keys(registry.environments);
  const envsOf = (s: Service): string[] => s.environments ?? all;
  const byName = new Map(registry.services.map((s) => [s.name, s]));
  const out: Diagnostic[] = [];
  registry.services.forEach((service, i) =>
    service.dependsOn?.forEach((dep, j) => {
      const target = byName.get(dep);
      if (!target) return;
      const missing = envsOf(service).filter((e) => all.includes(e) && !envsOf(target).includes(e));
      if (missing.length)
        out.push(
          error("SERVICE_DEPENDENCY_NOT_DEPLOYED", `"${service.name}" depends on "${dep}", which is not deployed to ${missing.join(", ")}`, {
            file,
            path: `services[${i}].dependsOn[${j}]`,
            fix: `deploy "${dep}" to ${missing.join(", ")} too, or limit "${service.name}" to the environments "${dep}" is in`,
          }),
        );
    }),
  );
  return out;
};

/** Two objects of one kind with one name in one namespace overwrite each other. */
const resourceNames: Rule = (registry, file) => {
  const out: Diagnostic[] = [];
  const seen = new Map<string, string>();
  const claim = (kind: string, name: string, path: string): void => {
    const key = `${kind}/${name}`;
    const other = seen.get(key);
    if (other)
      out.push(error("RESOURCE_NAME_COLLISION", `${kind} "${name}" is also declared at ${other}`, { file, path, fix: `rename one of them: two ${kind}s named "${name}" overwrite each other` }));
    else seen.set(key, path);
  };
  registry.services.forEach((s, i) => {
    if (Array.isArray(s.deployment)) s.deployment.forEach((d, j) => claim("Deployment", d, `services[${i}].deployment[${j}]`));
    else claim("Deployment", s.deployment ?? s.name, `services[${i}]${s.deployment ? ".deployment" : ".name"}`);
    s.cronjobs?.forEach((c, j) => claim("CronJob", c.name, `services[${i}].cronjobs[${j}].name`));
    s.jobs?.forEach((c, j) => claim("Job", c.name, `services[${i}].jobs[${j}].name`));
  });
  return out;
};

const placeholders: Rule = (registry, file) => {
  const out: Diagnostic[] = [];
  const domainKeys = new Set(Object.values(registry.environments).flatMap((e) => Object.keys(e.domains)));
  const valid = [...VALUE_PLACEHOLDERS, ...[...domainKeys].map((k) => `domains.${k}`)];
  const checkString = (text: string, path: string, allowed: readonly string[], envName?: string): void => {
    for (const name of placeholdersIn(text)) {
      const domain = name.startsWith("domains.") ? name.slice("domains.".length) : undefined;
      const envs = envName ? [envName] : Object.keys(registry.environments);
      const missingIn = domain !== undefined ? envs.filter((e) => !Object.hasOwn(registry.environments[e]?.domains ?? {}, domain)) : [];
      if (!allowed.includes(name) || missingIn.length)
        out.push(
          error("PLACEHOLDER_UNKNOWN", `unknown placeholder "{${name}}"${missingIn.length ? ` in environment ${missingIn.join(", ")}` : ""} (valid: ${listOptions(allowed.map((a) => `{${a}}`), 20)})`, {
            file,
            path,
            fix: domain !== undefined ? `add "${domain}" to the domains of ${missingIn.join(", ") || "every environment"}, or use a defined domain` : "use one of the valid placeholders",
          }),
        );
    }
  };
  const checkValue = (v: Value, path: string, envName?: string): void => {
    if (typeof v === "string") checkString(v, path, valid, envName);
    else if ("byEnvironment" in v) {
      const envs = Object.keys(registry.environments);
      for (const [env, inner] of Object.entries(v.byEnvironment)) {
        if (!envs.includes(env))
          out.push(error("ENVIRONMENT_UNKNOWN", `unknown environment "${env}" (known: ${listOptions(envs)})`, { file, path: `${path}.byEnvironment.${env}`, fix: "name an environment defined in environments" }));
        else if (typeof inner === "string") checkString(inner, `${path}.byEnvironment.${env}`, valid, env);
      }
      for (const env of envs.filter((e) => !Object.hasOwn(v.byEnvironment, e)))
        out.push(error("CONFIG_INVALID", `byEnvironment has no value for environment "${env}"`, { file, path: `${path}.byEnvironment`, fix: `add ${env}: "…"` }));
    }
  };
  for (const [envName, env] of Object.entries(registry.environments)) {
    env.imageTags.forEach((t, k) => checkString(t, `environments.${envName}.imageTags[${k}]`, TAG_PLACEHOLDERS));
    for (const [name, v] of Object.entries(env.manifestVariables)) checkValue(v, `environments.${envName}.manifestVariables.${name}`, envName);
  }
  registry.services.forEach((s, i) => {
    for (const [name, v] of Object.entries(s.buildArgs ?? {})) checkValue(v, `services[${i}].buildArgs.${name}`);
  });
  return out;
};

const secretReferences: Rule = (registry, file) => {
  const out: Diagnostic[] = [];
  const groups = Object.keys(registry.secretGroups);
  const used = new Set<string>();
  registry.services.forEach((s, i) =>
    s.secrets?.forEach((ref, j) => {
      const [group, key, ...rest] = ref.split("/");
      const path = `services[${i}].secrets[${j}]`;
      if (!group || rest.length) {
        out.push(error("CONFIG_INVALID_FORMAT", `"${ref}" is not a secret reference`, { file, path, fix: 'write "<group>" or "<group>/<key>"' }));
        return;
      }
      // Own keys only: "constructor" must not find Object.prototype.constructor.
      const keys = Object.hasOwn(registry.secretGroups, group) ? registry.secretGroups[group] : undefined;
      if (!keys) {
        out.push(error("SECRET_GROUP_UNKNOWN", `unknown secret group "${group}" (known: ${listOptions(groups)})`, { file, path, fix: "add the group to secretGroups, or name a defined one" }));
        return;
      }
      used.add(group);
      if (key !== undefined && !Object.hasOwn(keys, key))
        out.push(
          error("SECRET_KEY_UNDEFINED", `secret "${group}" has no key "${key}" (keys: ${listOptions(Object.keys(keys))})`, {
            file,
            path,
            fix: `add "${key}" to secretGroups["${group}"], or name a defined key`,
          }),
        );
    }),
  );
  for (const group of groups.filter((g) => !used.has(g)).sort())
    out.push(
      warning("SECRET_GROUP_UNUSED", `secret group "${group}" is used by no service, so no workflow creates it`, {
        file,
        path: `secretGroups["${group}"]`,
        fix: `add "${group}" to the secrets of the services whose manifests read it, or remove the group`,
      }),
    );
  return out;
};

const sentryConfigured: Rule = (registry, file) =>
  registry.project.sentry
    ? []
    : registry.services.flatMap((s, i) =>
        s.sentry
          ? [error("SENTRY_NOT_CONFIGURED", `"${s.name}" has sentry: true but project.sentry is not set`, { file, path: `services[${i}].sentry`, fix: 'set project.sentry: { organization: "…" }, or drop sentry: true' })]
          : [],
      );


/**
 * The first image tag is the one deployed; without `{sha}` every commit would push (and deploy)
 * the same tag, and a rollback or a re-tag could not name an image.
 */
const imageTagsUnique: Rule = (registry, file) =>
  Object.entries(registry.environments).flatMap(([name, env]) =>
    env.imageTags[0] !== undefined && !env.imageTags[0].includes("{sha}")
      ? [
          error("IMAGE_TAG_NOT_UNIQUE", `the first image tag "${env.imageTags[0]}" does not contain {sha}; it is the tag deployed, and must name one commit's image`, {
            file,
            path: `environments.${name}.imageTags[0]`,
            fix: `put a tag with {sha} first, e.g. ["{sha}", ${env.imageTags.map((t) => JSON.stringify(t)).join(", ")}]`,
          }),
        ]
      : [],
  );

/** A manifest variable that names a commit's tag must name one the build pushes. */
const manifestTagPushed: Rule = (registry, file) =>
  Object.entries(registry.environments).flatMap(([name, env]) =>
    Object.entries(env.manifestVariables).flatMap(([variable, value]) =>
      typeof value === "string" && value.includes("{sha}") && !env.imageTags.includes(value)
        ? [
            error("MANIFEST_TAG_NOT_PUSHED", `"${value}" is not one of the tags pushed (${env.imageTags.join(", ")}): every pod would fail to pull its image`, {
              file,
              path: `environments.${name}.manifestVariables.${variable}`,
              fix: `use the deployed tag "${env.imageTags[0]}"`,
            }),
          ]
        : [],
    ),
  );

/**
 * In one shared registry, two environments pushing the same commit tag for an image built with
 * different arguments overwrite each other: production could pull staging's frontend.
 */
const sharedRegistryTags: Rule = (registry, file) => {
  if (registry.project.containerRegistry.perEnvironment) return [];
  const envs = Object.entries(registry.environments);
  const out: Diagnostic[] = [];
  for (let i = 0; i < envs.length; i++)
    for (let j = i + 1; j < envs.length; j++) {
      const [a, envA] = envs[i]!;
      const [b, envB] = envs[j]!;
      if (envA.imageTags[0] !== envB.imageTags[0]) continue;
      const differing = registry.services.filter((s) => s.image !== false && builtIn(s, a) && builtIn(s, b) && buildArgsDiffer(registry, s, a, b));
      if (differing.length)
        out.push(
          error("IMAGE_TAG_SHARED_ACROSS_ENVIRONMENTS", `${a} and ${b} push the same tag "${envA.imageTags[0]}" to one registry, but build ${differing.map((s) => `"${s.name}"`).join(", ")} differently: each would overwrite the other's image`, {
            file,
            path: `environments.${b}.imageTags[0]`,
            fix: `give ${b} its own tag (e.g. "${envB.imageTags[0]}-${b}"), or, if the registry secrets are environment secrets pointing at separate registries, set project.containerRegistry.perEnvironment: true`,
          }),
        );
    }
  return out;
};

function builtIn(s: Service, env: string): boolean {
  return s.environments === undefined || s.environments.includes(env);
}

function buildArgsDiffer(registry: Registry, s: Service, a: string, b: string): boolean {
  const resolved = (env: string): string => {
    try {
      const e = registry.environments[env]!;
      return JSON.stringify(Object.entries(s.buildArgs ?? {}).map(([k, v]) => [k, resolveValue(v, env, e, registry.project.namespace)]));
    } catch {
      return ""; // an invalid value is another rule's finding
    }
  };
  return resolved(a) !== resolved(b);
}

/**
 * Build arguments persist in the image (its history, and its provenance attestation): a GitHub
 * secret may be one only when marked public; a token belongs in buildSecrets (a BuildKit secret
 * mount). One id cannot be both, or the Dockerfile could read either.
 */
const secretBuildArgs: Rule = (registry, file) => {
  const out: Diagnostic[] = [];
  registry.services.forEach((s, i) => {
    for (const [name, value] of Object.entries(s.buildArgs ?? {})) {
      for (const { secret, path } of unmarkedSecrets(value, `services[${i}].buildArgs.${name}`))
        out.push(
          error("BUILD_ARG_SECRET", `build argument ${name} of "${s.name}" reads the GitHub secret ${secret}: build arguments persist in the image (its history and provenance), so a secret must not be one`, {
            file,
            path,
            fix: `move it to buildSecrets: { ${name}: "${secret}" } and read it in the Dockerfile with \`RUN --mount=type=secret,id=${name},env=${name} …\`; or, if the value is public by design (a publishable key), write { secret: "${secret}", public: true }`,
          }),
        );
      if (s.buildSecrets && name in s.buildSecrets)
        out.push(
          error("BUILD_SECRET_ALSO_BUILD_ARG", `${name} of "${s.name}" is both a build argument and a build secret`, {
            file,
            path: `services[${i}].buildSecrets.${name}`,
            fix: `keep ${name} in buildSecrets only if it is secret, or in buildArgs only if it is public`,
          }),
        );
    }
  });
  return out;
};

function unmarkedSecrets(value: BuildArgValue, path: string): { secret: string; path: string }[] {
  if (typeof value === "string") return [];
  if ("secret" in value) return value.public === true ? [] : [{ secret: value.secret, path }];
  return Object.entries(value.byEnvironment).flatMap(([env, inner]) => unmarkedSecrets(inner, `${path}.byEnvironment.${env}`));
}

/** Every rule, in the order their diagnostics are most useful to read. */
export const RULES: Readonly<Record<string, Rule>> = {
  duplicateServiceNames,
  servicePaths,
  unknownDependencies,
  dependencyKindOrder,
  dependencyCycles,
  environmentsKnown,
  dependenciesDeployed,
  resourceNames,
  placeholders,
  secretReferences,
  sentryConfigured,
  imageTagsUnique,
  manifestTagPushed,
  sharedRegistryTags,
  secretBuildArgs,
};

export function checkRules(registry: Registry, file: string): Diagnostic[] {
  return Object.values(RULES).flatMap((rule) => rule(registry, file));
}

/**
 * The imported registry -> `services.config.ts` text, built with ts-morph (loaded by the caller,
 * only in this command). Written to be owned by a person: one short line per service where it
 * fits, built services through one small helper per kind (`backend("ats-service", { … })`, its
 * path derived from the name), manifest variables both environments share written once as a
 * constant, defaults left out, and an `// import:` comment only where the import decided something.
 */
import type { Registry, Service, Value } from "../config/registry.ts";
import { type ImportComments, SHARED_SECRETS_CONSTANT } from "./merge.ts";

type TsMorph = typeof import("ts-morph");

export interface WriteInput {
  registry: Registry;
  comments: ImportComments;
  sharedSecretServices: ReadonlySet<string>;
  /** Module specifier of defineConfig (the package, or a relative path inside this repository). */
  registryImport: string;
  /** Where the registry came from, for the header comment. */
  sources: string[];
  /** The commands the header names, as this repository runs them (its script, else the bin). */
  commands: { import: string; regenerate: string };
}

/** Services read best in this order: identity, deploy order, secrets, build, jobs. */
const SERVICE_KEY_ORDER = ["name", "kind", "path", "image", "environments", "dependsOn", "manifests", "deployment", "rolloutTimeoutSeconds", "secrets", "sentry", "sentryProject", "buildArgs", "buildSecrets", "cronjobs", "jobs"];

/** Built services whose path is `<folder>/<name>` are written through a helper of their kind. */
const HELPERS: readonly { kind: Service["kind"]; folder: string }[] = [
  { kind: "backend", folder: "services" },
  { kind: "gateway", folder: "services" },
  { kind: "frontend", folder: "apps" },
];

const SHARED_VARIABLES_CONSTANT = "sharedManifestVariables";
const MAX_LINE = 150;
const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function key(k: string): string {
  return IDENT.test(k) ? k : JSON.stringify(k);
}

const isPrimitive = (v: unknown): boolean => v === null || typeof v !== "object";
const isFlat = (v: unknown): boolean => isPrimitive(v) || (Array.isArray(v) && v.every(isPrimitive)) || (!Array.isArray(v) && typeof v === "object" && Object.values(v as object).every(isPrimitive));

interface Writer {
  input: WriteInput;
  /** Raw source replacing a value at a registry location (shared constants). */
  raw: Map<string, string>;
}

/** A value as TypeScript source, with comments before the entries that have one; short flat objects on one line. */
function literal(value: unknown, path: string, w: Writer, indent: string, room = MAX_LINE): string {
  const replaced = w.raw.get(path);
  if (replaced !== undefined) return replaced;
  if (isPrimitive(value)) return JSON.stringify(value);
  const inner = `${indent}  `;
  const commented = [...w.input.comments.keys()].some((c) => path && c.startsWith(`${path}.`));
  if (Array.isArray(value)) {
    if (value.every(isPrimitive)) return `[${value.map((v) => JSON.stringify(v)).join(", ")}]`;
    const items = value.map((v) => {
      const name = (v as { name?: string }).name;
      const at = name !== undefined ? `${path}.${name}` : path;
      const notes = w.input.comments.get(at) ?? [];
      const text = path === "services" ? serviceSource(v as Service, w, inner) : literal(v, at, w, inner, MAX_LINE - inner.length - 1);
      return [...notes.map((c) => `${inner}// import: ${c}`), `${inner}${text},`].join("\n");
    });
    return `[\n${items.join("\n")}\n${indent}]`;
  }
  let entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  const spread = (value as { [SPREAD]?: string })[SPREAD];
  if (!entries.length) return spread ? `{ ...${spread} }` : "{}";
  if (path.startsWith("services.") && path.split(".").length === 2) entries = entries.sort(([a], [b]) => SERVICE_KEY_ORDER.indexOf(a) - SERVICE_KEY_ORDER.indexOf(b));
  const parts = entries.map(([k, v]) => ({ k, text: `${key(k)}: ${literal(v, path ? `${path}.${k}` : k, w, inner, MAX_LINE)}` }));
  const oneLine = `{ ${[...(spread ? [`...${spread}`] : []), ...parts.map((p) => p.text)].join(", ")} }`;
  if (!commented && !oneLine.includes("\n") && oneLine.length <= room && entries.every(([k, v]) => isFlat(v) || w.raw.has(`${path}.${k}`))) return oneLine;
  const lines = [
    ...(spread ? [`${inner}...${spread},`] : []),
    ...entries.map(([k, v]) => {
      const at = path ? `${path}.${k}` : k;
      const isServiceField = path.startsWith("services.") || path === "services";
      const notes = isServiceField && path.split(".").length <= 2 ? [] : (w.input.comments.get(at) ?? []);
      return [...notes.map((c) => `${inner}// import: ${c}`), `${inner}${key(k)}: ${literal(v, at, w, inner, MAX_LINE - inner.length - k.length - 3)},`].join("\n");
    }),
  ];
  return `{\n${lines.join("\n")}\n${indent}}`;
}

/** Marks an object written as `{ ...constant, rest }`. */
const SPREAD = Symbol("spread");

/** The timeout all of `services` set alike (at least two of them), else undefined. */
function sharedTimeout(services: readonly Service[]): number | undefined {
  const first = services[0]?.rolloutTimeoutSeconds;
  return services.length >= 2 && first !== undefined && services.every((s) => s.rolloutTimeoutSeconds === first) ? first : undefined;
}

function helperOf(s: Service): (typeof HELPERS)[number] | undefined {
  return s.image === false ? undefined : HELPERS.find((h) => h.kind === s.kind && s.path === `${h.folder}/${s.name}`);
}

/** `backend("ats-service", { dependsOn: […] })`, or the full object when no helper fits. */
function serviceSource(s: Service, w: Writer, indent: string): string {
  const at = `services.${s.name}`;
  const helper = helperOf(s);
  if (w.input.sharedSecretServices.has(s.name)) w.raw.set(`${at}.secrets`, SHARED_SECRETS_CONSTANT);
  if (!helper) return literal(s, at, w, indent, MAX_LINE - indent.length - 1);
  const { name, kind: _kind, path: _path, ...more } = s;
  const call = `${helper.kind}(${JSON.stringify(name)}`;
  if (!Object.keys(more).length) return `${call})`;
  return `${call}, ${literal(more, at, w, indent, MAX_LINE - indent.length - call.length - 4)})`;
}

/** Manifest variables with the same value in every environment, written once. */
function sharedVariables(registry: Registry): Record<string, Value> {
  const envs = Object.values(registry.environments);
  if (envs.length < 2) return {};
  const first = envs[0]!.manifestVariables;
  return Object.fromEntries(Object.entries(first).filter(([k, v]) => envs.every((e) => JSON.stringify(e.manifestVariables[k]) === JSON.stringify(v))));
}

export function registrySource(morph: TsMorph, input: WriteInput): string {
  const project = new morph.Project({ useInMemoryFileSystem: true, manipulationSettings: { indentationText: morph.IndentationText.TwoSpaces, quoteKind: morph.QuoteKind.Double } });
  const file = project.createSourceFile("services.config.ts", "");
  file.addStatements(
    [
      "/**",
      ` * The service registry, imported by \`${input.commands.import}\` from ${input.sources.join(" and ")}.`,
      ` * Review every \`// import:\` comment, then run \`${input.commands.regenerate}\` to replace the`,
      " * hand-written workflows with generated ones, and commit both.",
      " */",
    ].join("\n"),
  );
  const registry = structuredClone(input.registry);
  const used = HELPERS.filter((h) => registry.services.some((s) => helperOf(s) === h));
  file.addImportDeclaration({ namedImports: ["defineConfig", ...(used.length ? ["type Service"] : [])], moduleSpecifier: input.registryImport });
  const w: Writer = { input, raw: new Map() };

  if (used.length) {
    // A rollout timeout every service of a kind shares is said once, in that kind's helper.
    const defaults = new Map(used.map((h) => [h, sharedTimeout(registry.services.filter((s) => helperOf(s) === h))]));
    for (const s of registry.services) if (defaults.get(helperOf(s)!) !== undefined) delete s.rolloutTimeoutSeconds;
    file.addStatements(
      [
        "",
        "/** A built service: its image is built from `<folder>/<name>`, its manifests are in the folder of its name. */",
        "const built =",
        '  (kind: Service["kind"], folder: string, defaults: Omit<Service, "name" | "kind"> = {}) =>',
        '  (name: string, more: Omit<Service, "name" | "kind"> = {}): Service => ({ name, kind, path: `${folder}/${name}`, ...defaults, ...more });',
        ...used.map((h) => {
          const t = defaults.get(h);
          return `const ${h.kind} = built(${JSON.stringify(h.kind)}, ${JSON.stringify(h.folder)}${t !== undefined ? `, { rolloutTimeoutSeconds: ${t} }` : ""});`;
        }),
      ].join("\n"),
    );
  }
  const groups = Object.keys(registry.secretGroups);
  if (input.sharedSecretServices.size && groups.length) {
    file.addVariableStatement({
      leadingTrivia:
        [
          "/**",
          " * import: the workflows create these secrets but do not say which service reads which, so every",
          " * backend and gateway gets all of them. Narrow each service's `secrets` to the groups its",
          " * manifests read (secretKeyRef), or import again with --root <repository> to have them read.",
          " */",
        ].join("\n") + "\n",
      declarationKind: morph.VariableDeclarationKind.Const,
      declarations: [{ name: SHARED_SECRETS_CONSTANT, initializer: `[${groups.map((g) => JSON.stringify(g)).join(", ")}]` }],
    });
  }
  const shared = sharedVariables(registry);
  if (Object.keys(shared).length) {
    file.addStatements(`\n/** Manifest variables every environment sets the same way. */\nconst ${SHARED_VARIABLES_CONSTANT} = ${literal(shared, "", w, "")};`);
    for (const [name, env] of Object.entries(registry.environments)) {
      const rest = Object.fromEntries(Object.entries(env.manifestVariables).filter(([k]) => !(k in shared)));
      (rest as Record<string | symbol, unknown>)[SPREAD] = SHARED_VARIABLES_CONSTANT;
      registry.environments[name]!.manifestVariables = rest;
    }
  }
  file.addStatements(`\nexport default defineConfig(${literal(registry, "", w, "")});`);
  file.formatText({ indentSize: 2, convertTabsToSpaces: true, insertSpaceAfterOpeningAndBeforeClosingNonemptyBraces: true });
  return file.getFullText();
}

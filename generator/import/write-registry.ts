/**
 * The imported registry -> `services.config.ts` text, built with ts-morph (loaded by the caller,
 * only in this command): an import of defineConfig, a shared secret-groups constant, and the
 * registry object with an `// import:` comment at every entry the import had to decide.
 */
import type { Registry } from "../config/registry.ts";
import { type ImportComments, SHARED_SECRETS_CONSTANT } from "./merge.ts";

type TsMorph = typeof import("ts-morph");

export interface WriteInput {
  registry: Registry;
  comments: ImportComments;
  sharedSecretServices: ReadonlySet<string>;
  /** Module specifier of generator/registry.ts, relative to the written file's folder. */
  registryImport: string;
  /** Where the registry came from, for the header comment. */
  sources: string[];
}

/** Services read best in this order: identity, deploy order, secrets, build, jobs. */
const SERVICE_KEY_ORDER = ["name", "kind", "path", "image", "environments", "dependsOn", "manifests", "deployment", "rolloutTimeoutSeconds", "secrets", "sentry", "sentryProject", "buildArgs", "cronjobs", "jobs"];

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function key(k: string): string {
  return IDENT.test(k) ? k : JSON.stringify(k);
}

function commentLines(text: string): string[] {
  return [`// import: ${text}`];
}

/** A value as TypeScript source, with comments before the entries that have one. */
function literal(value: unknown, path: string, input: WriteInput, indent: string): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v !== "object")) return `[${value.map((v) => JSON.stringify(v)).join(", ")}]`;
    const items = value.map((v) => {
      const name = (v as { name?: string }).name;
      const at = name !== undefined ? `${path}.${name}` : path;
      const notes = input.comments.get(at) ?? [];
      return [...notes.flatMap(commentLines).map((c) => `${inner}${c}`), `${inner}${literal(v, at, input, inner)},`].join("\n");
    });
    return `[\n${items.join("\n")}\n${indent}]`;
  }
  let entries = Object.entries(value as Record<string, unknown>);
  if (!entries.length) return "{}";
  const isService = path.startsWith("services.") && path.split(".").length === 2;
  if (isService) entries = entries.sort(([a], [b]) => SERVICE_KEY_ORDER.indexOf(a) - SERVICE_KEY_ORDER.indexOf(b));
  // Small flat objects ({ secret: "X" }) read best on one line.
  const flat = entries.every(([, v]) => v === null || typeof v !== "object");
  const oneLine = `{ ${entries.map(([k, v]) => `${key(k)}: ${JSON.stringify(v)}`).join(", ")} }`;
  if (flat && oneLine.length <= 100 && ![...input.comments.keys()].some((c) => path && c.startsWith(`${path}.`))) return oneLine;
  const lines = entries.map(([k, v]) => {
    const at = path ? `${path}.${k}` : k;
    const notes = isService || path === "services" ? [] : (input.comments.get(at) ?? []);
    const text =
      isService && k === "secrets" && input.sharedSecretServices.has((value as { name: string }).name)
        ? `${key(k)}: ${SHARED_SECRETS_CONSTANT},`
        : `${key(k)}: ${literal(v, at, input, inner)},`;
    return [...notes.flatMap(commentLines).map((c) => `${inner}${c}`), `${inner}${text}`].join("\n");
  });
  return `{\n${lines.join("\n")}\n${indent}}`;
}

export function registrySource(morph: TsMorph, input: WriteInput): string {
  const project = new morph.Project({ useInMemoryFileSystem: true, manipulationSettings: { indentationText: morph.IndentationText.TwoSpaces, quoteKind: morph.QuoteKind.Double } });
  const file = project.createSourceFile("services.config.ts", "");
  file.addStatements([
    "/**",
    ` * The service registry, imported by \`pnpm gen:workflows import\` from ${input.sources.join(" and ")}.`,
    " * Review every `// import:` comment, then run `pnpm gen:workflows --force` to replace the",
    " * hand-written workflows with generated ones, and commit both.",
    " */",
  ].join("\n"));
  file.addImportDeclaration({ namedImports: ["defineConfig"], moduleSpecifier: input.registryImport });
  const groups = Object.keys(input.registry.secretGroups);
  if (input.sharedSecretServices.size && groups.length) {
    file.addVariableStatement({
      leadingTrivia: [
        "/**",
        " * import: the workflows create these secrets but do not say which service reads which, so every",
        " * backend and gateway gets all of them. Narrow each service's `secrets` to the groups its",
        " * manifests read (secretKeyRef); the audit reports a group a service lists but never reads.",
        " */",
      ].join("\n") + "\n",
      declarationKind: morph.VariableDeclarationKind.Const,
      declarations: [{ name: SHARED_SECRETS_CONSTANT, initializer: `[${groups.map((g) => JSON.stringify(g)).join(", ")}]` }],
    });
  }
  file.addStatements(`\nexport default defineConfig(${literal(input.registry, "", input, "")});`);
  file.formatText({ indentSize: 2, convertTabsToSpaces: true, insertSpaceAfterOpeningAndBeforeClosingNonemptyBraces: true });
  return file.getFullText();
}

/**
 * Inserts a service into `services.config.ts` with ts-morph, so the file keeps its comments,
 * constants and layout: the new entry goes after the last service of the same kind (or, when
 * there is none, after the last one of an earlier kind), and copies that neighbour's `dependsOn`
 * expression when it has one (so `dependsOn: messaging` stays a reference to the constant).
 */
import { KIND_ORDER } from "../config/kinds.ts";
import type { DeployKind } from "../config/registry.ts";

type TsMorph = typeof import("ts-morph");

export interface RegistryEntry {
  name: string;
  kind: DeployKind;
  path?: string;
  secrets: string[];
  sentry: boolean;
  cronjobs: { name: string; schedule: string }[];
  /** Used when no service of the same kind has a dependsOn to copy. */
  defaultDependsOn: string[];
}

export type EditResult = { text: string } | { error: string };

export function insertService(morph: TsMorph, source: string, entry: RegistryEntry): EditResult {
  const { Node } = morph;
  const project = new morph.Project({ useInMemoryFileSystem: true });
  const file = project.createSourceFile("services.config.ts", source);
  const exported = file.getExportAssignment((e) => !e.isExportEquals());
  let expr = exported?.getExpression();
  while (expr && (Node.isSatisfiesExpression(expr) || Node.isAsExpression(expr) || Node.isParenthesizedExpression(expr))) expr = expr.getExpression();
  if (expr && Node.isCallExpression(expr)) expr = expr.getArguments()[0] as import("ts-morph").Expression | undefined;
  if (!expr || !Node.isObjectLiteralExpression(expr)) return { error: "the registry's default export is not `defineConfig({ … })` or an object literal; add the service by hand" };
  const servicesProp = expr.getProperty("services");
  const array = servicesProp && Node.isPropertyAssignment(servicesProp) ? servicesProp.getInitializer() : undefined;
  if (!array || !Node.isArrayLiteralExpression(array)) return { error: "`services` is not an array literal; add the service by hand" };

  const elements = array.getElements();
  const kindOf = (e: import("ts-morph").Expression): DeployKind | undefined => {
    if (!Node.isObjectLiteralExpression(e)) return undefined;
    const p = e.getProperty("kind");
    const init = p && Node.isPropertyAssignment(p) ? p.getInitializer() : undefined;
    return init && Node.isStringLiteral(init) ? (init.getLiteralValue() as DeployKind) : undefined;
  };
  const rank = KIND_ORDER.indexOf(entry.kind);
  const ranks = elements.map((e) => KIND_ORDER.indexOf(kindOf(e) ?? entry.kind));
  const lastSame = elements.map((e) => kindOf(e)).lastIndexOf(entry.kind);
  const lastEarlier = ranks.reduce((at, r, i) => (r < rank ? i : at), -1);
  const index = lastSame >= 0 ? lastSame : lastEarlier;
  const sibling = index >= 0 && kindOf(elements[index]!) === entry.kind ? elements[index]! : undefined;
  let dependsOn: string | undefined;
  if (sibling && Node.isObjectLiteralExpression(sibling)) {
    const p = sibling.getProperty("dependsOn");
    if (p && Node.isPropertyAssignment(p)) dependsOn = p.getInitializer()?.getText();
  }
  if (dependsOn === undefined && entry.defaultDependsOn.length) dependsOn = `[${entry.defaultDependsOn.map((d) => JSON.stringify(d)).join(", ")}]`;

  const fields = [
    `name: ${JSON.stringify(entry.name)}`,
    `kind: ${JSON.stringify(entry.kind)}`,
    ...(entry.path ? [`path: ${JSON.stringify(entry.path)}`] : ["image: false"]),
    ...(dependsOn ? [`dependsOn: ${dependsOn}`] : []),
    ...(entry.secrets.length ? [`secrets: [${entry.secrets.map((s) => JSON.stringify(s)).join(", ")}]`] : []),
    ...(entry.sentry ? ["sentry: true"] : []),
    ...(entry.cronjobs.length ? [`cronjobs: [${entry.cronjobs.map((c) => `{ name: ${JSON.stringify(c.name)}, schedule: ${JSON.stringify(c.schedule)} }`).join(", ")}]`] : []),
  ];
  // Plain text insertion at a position ts-morph found: every other byte of the file stays as it
  // was (ts-morph's own insertElement re-indents and can drop the next entry's leading comment).
  const anchor = index >= 0 ? elements[index]! : undefined;
  const lineStart = (pos: number): number => source.lastIndexOf("\n", pos - 1) + 1;
  const ref = anchor ?? elements[0];
  const indent = ref ? source.slice(lineStart(ref.getStart()), ref.getStart()).replace(/\S.*/, "") : "    ";
  const multiLine = sibling ? sibling.getText().includes("\n") : true;
  const oneLine = `{ ${fields.join(", ")} }`;
  const text = !multiLine && indent.length + oneLine.length <= 160 ? oneLine : `{\n${fields.map((f) => `${indent}  ${f},`).join("\n")}\n${indent}}`;
  let out: string;
  if (anchor) {
    const comma = anchor.getNextSibling();
    const hasComma = comma?.getKind() === morph.SyntaxKind.CommaToken;
    const after = hasComma ? comma!.getEnd() : anchor.getEnd();
    const eol = source.indexOf("\n", after);
    const rest = source.slice(after, eol === -1 ? source.length : eol);
    // Keep a trailing `// comment` on the anchor's line with the anchor.
    const at = /^\s*(\/\/.*)?$/.test(rest) ? (eol === -1 ? source.length : eol) : after;
    out = `${source.slice(0, hasComma ? at : after)}${hasComma ? "" : ","}${hasComma ? "" : source.slice(after, at)}\n${indent}${text},${source.slice(at)}`;
  } else {
    const open = array.getStart() + 1;
    out = `${source.slice(0, open)}\n${indent}${text},${source.slice(open)}`;
  }
  return { text: out };

}

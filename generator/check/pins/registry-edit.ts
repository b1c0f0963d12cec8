/**
 * Writes pins into `project.actionPins` of the registry's source text with ts-morph, so comments
 * and formatting elsewhere survive. Text in, text out; ts-morph is imported only here, lazily.
 */
import type { Pin } from "../../render/pins.ts";

export type EditResult = { text: string } | { error: string };

export async function writeActionPins(source: string, pins: readonly (Pin & { action: string })[]): Promise<EditResult> {
  const tsMorph = await import("ts-morph");
  const { Node, Project, IndentationText, QuoteKind } = tsMorph;
  const project = new Project({
    useInMemoryFileSystem: true,
    manipulationSettings: { indentationText: IndentationText.TwoSpaces, quoteKind: QuoteKind.Double },
  });
  const file = project.createSourceFile("/services.config.ts", source);

  type AnyNode = import("ts-morph").Node;
  type ObjectLiteral = import("ts-morph").ObjectLiteralExpression;
  /** Follows `defineConfig(x)`, `x satisfies T`, `(x)` and same-file `const x = …` to an object literal. */
  const toObject = (node: AnyNode | undefined, depth = 0): ObjectLiteral | undefined => {
    if (!node || depth > 8) return undefined;
    if (Node.isObjectLiteralExpression(node)) return node;
    if (Node.isCallExpression(node)) return toObject(node.getArguments()[0], depth + 1);
    if (Node.isSatisfiesExpression(node) || Node.isAsExpression(node) || Node.isParenthesizedExpression(node)) return toObject(node.getExpression(), depth + 1);
    if (Node.isIdentifier(node)) return toObject(file.getVariableDeclaration(node.getText())?.getInitializer(), depth + 1);
    return undefined;
  };
  const property = (obj: ObjectLiteral, name: string): AnyNode | undefined => {
    const p = obj.getProperty((prop) => (Node.isPropertyAssignment(prop) || Node.isShorthandPropertyAssignment(prop)) && unquote(prop.getName()) === name);
    if (!p) return undefined;
    return Node.isPropertyAssignment(p) ? p.getInitializer() : Node.isShorthandPropertyAssignment(p) ? p.getNameNode() : undefined;
  };

  const exported = file.getExportAssignment((e) => !e.isExportEquals())?.getExpression();
  const registry = toObject(exported);
  if (!registry) return { error: "the registry's default export is not an object literal (or defineConfig({ … }) of one) in this file" };
  const projectObj = toObject(property(registry, "project"));
  if (!projectObj) return { error: "the registry's `project` is not an object literal in this file" };

  // Keep the file's style: if `project` ended with a trailing comma, so do the lines we add.
  const trailingCommas = /,\s*}$/.test(projectObj.getText());
  const entry = (p: Pin): string => `{ sha: ${JSON.stringify(p.sha)}, version: ${JSON.stringify(p.version)} }`;
  let pinsNode = property(projectObj, "actionPins");
  if (pinsNode === undefined) {
    projectObj.addPropertyAssignment({ name: "actionPins", initializer: "{}" });
    pinsNode = property(projectObj, "actionPins");
  }
  const pinsObj = toObject(pinsNode);
  if (!pinsObj) return { error: "`project.actionPins` is not an object literal in this file" };
  for (const pin of pins) {
    const existing = pinsObj.getProperty((prop) => Node.isPropertyAssignment(prop) && unquote(prop.getName()) === pin.action);
    if (existing && Node.isPropertyAssignment(existing)) existing.setInitializer(entry(pin));
    else pinsObj.addPropertyAssignment({ name: JSON.stringify(pin.action), initializer: entry(pin) });
  }
  let text = file.getFullText();
  if (trailingCommas) {
    const ends = [pinsObj, projectObj].flatMap((o) => {
      const last = o.getProperties().at(-1);
      return last && text[last.getEnd()] !== "," ? [last.getEnd()] : [];
    });
    for (const at of ends.sort((a, b) => b - a)) text = `${text.slice(0, at)},${text.slice(at)}`;
  }
  return { text };
}

function unquote(name: string): string {
  return /^["'].*["']$/.test(name) ? name.slice(1, -1) : name;
}

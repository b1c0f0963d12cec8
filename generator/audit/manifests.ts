/**
 * Kubernetes manifest files -> documents with line numbers (yaml's LineCounter), so every finding
 * points at the line to change. A file that does not parse is a finding with its line and column.
 */
import { type Document, isMap, isScalar, isSeq, LineCounter, type Node, parseAllDocuments } from "yaml";

export interface ManifestDoc {
  kind?: string;
  name?: string;
  /** The document as plain data. */
  data: Record<string, unknown>;
  doc: Document.Parsed;
  /** 1-based line of the node at `path`, or of the nearest existing parent. */
  lineAt(path: readonly (string | number)[]): number;
}

export interface ManifestFile {
  path: string;
  docs: ManifestDoc[];
  /** 1-based line of a character offset (from a yaml node's range). */
  lineOfOffset(offset: number): number;
  error?: { line: number; column: number; message: string };
}

export function parseManifest(path: string, text: string): ManifestFile {
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter, prettyErrors: true });
  const documents = Array.isArray(parsed) ? parsed : [];
  const firstError = documents.flatMap((d) => d.errors)[0];
  if (firstError) {
    const pos = firstError.linePos?.[0] ?? { line: 1, col: 1 };
    return { path, docs: [], lineOfOffset: () => pos.line, error: { line: pos.line, column: pos.col, message: firstError.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "") } };
  }
  const docs: ManifestDoc[] = [];
  for (const doc of documents) {
    const data = doc.toJS() as unknown;
    if (typeof data !== "object" || data === null || Array.isArray(data)) continue;
    const record = data as Record<string, unknown>;
    const metadata = record.metadata as { name?: unknown } | undefined;
    docs.push({
      ...(typeof record.kind === "string" ? { kind: record.kind } : {}),
      ...(typeof metadata?.name === "string" ? { name: metadata.name } : {}),
      data: record,
      doc,
      lineAt(p) {
        // The line of the key (`resources:`), not of its value, which may start a line below.
        for (let n = p.length; n >= 0; n--) {
          const parent = n === 0 ? undefined : nodeAt(doc.contents, p.slice(0, n - 1));
          const pair = isMap(parent) ? parent.items.find((i) => isScalar(i.key) && i.key.value === p[n - 1]) : undefined;
          const node = (isScalar(pair?.key) ? pair.key : undefined) ?? nodeAt(doc.contents, p.slice(0, n));
          const offset = node?.range?.[0];
          if (offset !== undefined) return lineCounter.linePos(offset).line;
        }
        return 1;
      },
    });
  }
  return { path, docs, lineOfOffset: (offset) => lineCounter.linePos(offset).line };
}

function nodeAt(root: unknown, path: readonly (string | number)[]): Node | undefined {
  let node = root as Node | undefined;
  for (const segment of path) {
    if (isMap(node)) node = node.get(segment, true) as Node | undefined;
    else if (isSeq(node)) node = node.get(Number(segment), true) as Node | undefined;
    else return undefined;
  }
  return node ?? undefined;
}

/** Where a workload keeps its pod spec. */
export function podSpecPath(kind: string | undefined): (string | number)[] | undefined {
  switch (kind) {
    case "Deployment":
    case "StatefulSet":
    case "DaemonSet":
    case "Job":
      return ["spec", "template", "spec"];
    case "CronJob":
      return ["spec", "jobTemplate", "spec", "template", "spec"];
    default:
      return undefined;
  }
}

export interface ContainerAt {
  /** Path from the document root to the container. */
  path: (string | number)[];
  container: Record<string, unknown>;
}

/** Every container and init container of a workload document. */
export function containersOf(doc: ManifestDoc): ContainerAt[] {
  const specPath = podSpecPath(doc.kind);
  if (!specPath) return [];
  let spec: unknown = doc.data;
  for (const s of specPath) spec = (spec as Record<string, unknown> | undefined)?.[s as string];
  if (typeof spec !== "object" || spec === null) return [];
  const out: ContainerAt[] = [];
  for (const field of ["initContainers", "containers"]) {
    const list = (spec as Record<string, unknown>)[field];
    if (Array.isArray(list))
      list.forEach((c, i) => {
        if (typeof c === "object" && c !== null) out.push({ path: [...specPath, field, i], container: c as Record<string, unknown> });
      });
  }
  return out;
}

/**
 * The local files a registry imports (transitively): what the pre-commit check must read from the
 * index besides the registry itself. Relative specifiers only (`./constants`, `../deploy/x.js`):
 * packages come from node_modules, which is never committed. A specifier is followed the way
 * esbuild and TypeScript resolve it (extensions, `index` files, `.js` written for a `.ts` file);
 * every spelling it could resolve to is returned as a candidate, so a file that exists in the
 * index but not in the working tree (or the reverse) is still looked at. Pure: reads via `read`.
 */
import { posix } from "node:path";

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["'](\.{1,2}\/[^"'\n]*)["']/g;
const EXTENSIONS = [".ts", ".mts", ".cts", ".tsx", ".js", ".mjs", ".cjs", ".json"];

/** Every path `specifier` (written in `fromFile`) could resolve to, in resolution order; repository-relative. */
export function candidatePaths(fromFile: string, specifier: string): string[] {
  const base = posix.normalize(posix.join(posix.dirname(fromFile), specifier));
  if (base.startsWith("../") || base === "..") return [];
  const out = [base];
  const ext = posix.extname(base);
  // TypeScript's convention: `./x.js` in the source names `./x.ts`.
  const swapped: Record<string, string[]> = { ".js": [".ts", ".tsx"], ".mjs": [".mts"], ".cjs": [".cts"] };
  for (const alt of swapped[ext] ?? []) out.push(base.slice(0, -ext.length) + alt);
  for (const e of EXTENSIONS) out.push(base + e);
  for (const e of EXTENSIONS) out.push(`${base}/index${e}`);
  return out;
}

export interface RegistryImports {
  /** The files that resolved (the registry first), repository-relative. */
  files: string[];
  /** Every candidate spelling, resolved or not: the paths whose index state matters. */
  candidates: string[];
}

/** Follows the registry's relative imports through `read` (repository-relative path -> text, or undefined). */
export function registryImports(registry: string, read: (path: string) => string | undefined): RegistryImports {
  const files: string[] = [];
  const candidates = new Set<string>([registry]);
  const seen = new Set<string>();
  const visit = (file: string, text: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    files.push(file);
    for (const m of text.matchAll(SPECIFIER)) {
      const options = candidatePaths(file, m[1]!);
      options.forEach((c) => candidates.add(c));
      for (const c of options) {
        const found = read(c);
        if (found !== undefined) {
          visit(c, found);
          break;
        }
      }
    }
  };
  const text = read(registry);
  if (text !== undefined) visit(registry, text);
  return { files, candidates: [...candidates].sort() };
}

/**
 * The only module that touches the filesystem: load the registry, read templates and generated
 * files, write atomically. Everything else is data in, data out.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type Diagnostic, error } from "./diagnostics.ts";
import { TEMPLATE_FILES, type TemplateName } from "./render/templates.ts";

export function toPosix(p: string): string {
  return p.split(sep).join("/");
}

function sha(text: string | Buffer): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * Where transpiled registries are cached: the repository's own `node_modules/.cache` when it has
 * one, so the registry's package imports resolve from the repository as they would for the
 * registry itself; otherwise the tool's own `node_modules/.cache` (this module runs from
 * generator/ or from a bundle below it). Never a folder found by walking further up, which could
 * be a stranger's `node_modules`.
 */
function cacheDir(repoRoot: string | undefined): string {
  if (repoRoot && existsSync(join(repoRoot, "node_modules"))) return join(repoRoot, "node_modules", ".cache", "gen-workflows");
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, "node_modules")) && existsSync(join(dir, "generator"))) return join(dir, "node_modules", ".cache", "gen-workflows");
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return join(tmpdir(), "gen-workflows-cache");
}

interface CacheManifest {
  inputs: Record<string, string>;
}

/**
 * Loads the registry's default export. The TypeScript is bundled by esbuild once and cached by
 * the hashes of every file it imports: esbuild costs ~50 ms a call, more than the rest of a
 * `--check` of an unchanged tree.
 */
export async function loadRegistryModule(configPath: string, shownAs: string, repoRoot?: string): Promise<{ value?: unknown; diagnostics: Diagnostic[] }> {
  if (!existsSync(configPath))
    return {
      diagnostics: [error("CONFIG_NOT_FOUND", `registry file not found: ${configPath}`, { file: shownAs, fix: "create services.config.ts, or pass --config <file>" })],
    };
  const dir = cacheDir(repoRoot);
  const key = sha(configPath).slice(0, 16);
  const bundlePath = join(dir, `registry-${key}.mjs`);
  const manifestPath = join(dir, `registry-${key}.json`);
  if (!cacheIsFresh(manifestPath, bundlePath)) {
    const built = await bundleRegistry(configPath, shownAs);
    if (!built.code) return { diagnostics: built.diagnostics };
    mkdirSync(dir, { recursive: true });
    writeAtomic(bundlePath, built.code);
    writeAtomic(manifestPath, JSON.stringify({ inputs: built.inputs } satisfies CacheManifest));
  }
  try {
    // The query makes Node load a rebuilt bundle instead of its module-cache copy.
    const mod = (await import(`${pathToFileURL(bundlePath).href}?v=${sha(readFileSync(bundlePath)).slice(0, 12)}`)) as { default?: unknown };
    if (mod.default === undefined)
      return {
        diagnostics: [error("CONFIG_NO_DEFAULT_EXPORT", "the registry has no default export", { file: shownAs, fix: "end the file with `export default defineConfig({ … })`" })],
      };
    return { value: mod.default, diagnostics: [] };
  } catch (e) {
    return { diagnostics: [error("CONFIG_LOAD_FAILED", `the registry threw while loading: ${(e as Error).message}`, { file: shownAs, fix: "fix the error in the registry's code" })] };
  }
}

function cacheIsFresh(manifestPath: string, bundlePath: string): boolean {
  try {
    if (!existsSync(bundlePath)) return false;
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as CacheManifest;
    return Object.entries(manifest.inputs).every(([file, hash]) => existsSync(file) && sha(readFileSync(file)) === hash);
  } catch {
    return false;
  }
}

async function bundleRegistry(configPath: string, shownAs: string): Promise<{ code?: string; inputs: Record<string, string>; diagnostics: Diagnostic[] }> {
  const esbuild = await import("esbuild");
  try {
    const result = await esbuild.build({
      entryPoints: [configPath],
      bundle: true,
      write: false,
      format: "esm",
      platform: "node",
      target: "node20",
      packages: "external",
      metafile: true,
      logLevel: "silent",
      // Metafile paths are relative to this folder; pinning it keeps them independent of the cwd.
      absWorkingDir: dirname(configPath),
    });
    const cwd = dirname(configPath);
    const inputs: Record<string, string> = {};
    for (const input of Object.keys(result.metafile.inputs)) {
      const abs = resolve(cwd, input);
      inputs[abs] = sha(readFileSync(abs));
    }
    return { code: result.outputFiles[0]!.text, inputs, diagnostics: [] };
  } catch (e) {
    const failure = e as { errors?: { text: string; location?: { file: string; line: number; column: number } | null }[] };
    if (!failure.errors) throw e;
    return {
      inputs: {},
      diagnostics: failure.errors.map((m) =>
        error("CONFIG_LOAD_FAILED", m.text, {
          file: m.location ? toPosix(relative(dirname(configPath), resolve(dirname(configPath), m.location.file))) || shownAs : shownAs,
          ...(m.location ? { line: m.location.line, column: m.location.column + 1 } : {}),
          fix: /Could not resolve/.test(m.text) ? "correct the import path (relative to the registry file), or install the package" : "fix the TypeScript syntax error",
        }),
      ),
    };
  }
}

export function readTemplates(templatesDir: string): { texts?: Record<TemplateName, string>; diagnostics: Diagnostic[] } {
  const texts = {} as Record<TemplateName, string>;
  const diagnostics: Diagnostic[] = [];
  for (const [name, rel] of Object.entries(TEMPLATE_FILES) as [TemplateName, string][]) {
    const file = join(templatesDir, rel);
    if (!existsSync(file)) {
      diagnostics.push(error("TEMPLATE_NOT_FOUND", `template not found: ${file}`, { file, fix: "restore the template (`git checkout -- templates/`), or create it with `steps: []`" }));
      continue;
    }
    texts[name] = readFileSync(file, "utf8");
  }
  return diagnostics.length ? { diagnostics } : { texts, diagnostics };
}

/** The file's text, or undefined when it does not exist. */
export function readIfExists(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, "utf8") : undefined;
}

/** Workflow files under `.github/workflows` (relative paths), sorted. */
export function listWorkflowFiles(root: string): string[] {
  const dir = join(root, ".github", "workflows");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => `.github/workflows/${f}`);
}

/** Generated support files under `.github/deploy` (runner bundle, data files), sorted: orphans are found among them. */
export function listSupportFiles(root: string): string[] {
  const dir = join(root, ".github", "deploy");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /\.(mjs|jsonc)$/.test(f))
    .sort()
    .map((f) => `.github/deploy/${f}`);
}

/** Write to a temporary file in the same folder, then rename: readers never see half a file. */
export function writeAtomic(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

export function removeFile(path: string): void {
  rmSync(path, { force: true });
}

/** Names of the `.yaml`/`.yml` files directly in `dir`, sorted; undefined when it is not a folder. */
export function listYamlFiles(dir: string): string[] | undefined {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
      .map((e) => e.name)
      .sort();
  } catch {
    return undefined;
  }
}

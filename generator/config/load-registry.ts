/**
 * Loads the user's registry (`services.config.ts` and the local files it imports) without a
 * bundler: each file is transpiled on its own (sucrase strips the types, es-module-lexer finds the
 * imports), its local imports are rewritten to the compiled copies, and Node imports the result.
 *
 * The compiled files are content-addressed: a module's name is the hash of its compiled code, and
 * that code names its dependencies by their own hashes, so one name always means one text. What
 * the run executes is derived from the bytes it read, once per file: a save during a run can only
 * make this run use the older text, never make a later run use old output for a new text.
 * The cache (`registry-cache.ts`) only saves the transpiler's start-up on the next run.
 */
import { createHash } from "node:crypto";
import { dirname, extname, isAbsolute, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Diagnostic, error } from "../diagnostics.ts";
import { readRegistryCache, writeRegistryCache, materialize, type CompiledGraph, type CompiledModule } from "./registry-cache.ts";
import { type Deadline, evaluateModule, TIMED_OUT, timeoutDiagnostic } from "./load-deadline.ts";

/** The compiled form; with the tool's build id, part of every cache entry. */
export const COMPILER_ID = "gen-workflows-registry/1 sucrase@3.35.1 es-module-lexer@3.0.5";

/** The package's own name: a registry's `import … from "gen-workflows"` binds to the running tool. */
export const PACKAGE_NAME = "gen-workflows";

/** Reads a source file's bytes, or undefined when it does not exist (injectable, e.g. for the git index). */
export type ReadSource = (path: string) => Buffer | undefined;

export interface RegistryLoad {
  value?: unknown;
  diagnostics: Diagnostic[];
  /** Absolute path -> sha256 of the bytes that were compiled: every local file the registry's value came from. */
  inputs?: Record<string, string>;
  /**
   * Whether the value is a function of those files alone, as far as a conservative reading of the
   * code can tell: no package other than this tool, no builtin module, no environment, clock or
   * randomness. Only then may a result be reused on the strength of the files' hashes.
   */
  repeatable?: boolean;
}

export interface LoadOptions {
  /** Folders to keep compiled modules in, best first (the first writable one is used). */
  cacheDirs: string[];
  /** URL the package name resolves to: the running tool's public entry. */
  toolEntryUrl: string;
  /** The running tool's build: a cache entry made by another build is not used. */
  toolBuild: string;
  readSource: ReadSource;
  /** How long the registry's code may run (load-deadline.ts). */
  deadline: Deadline;
}

const sha = (bytes: string | Buffer): string => createHash("sha256").update(bytes).digest("hex");

/** Loads the registry's default export (see the module comment). */
export async function loadRegistry(configPath: string, shownAs: string, options: LoadOptions): Promise<RegistryLoad> {
  const registryDir = dirname(configPath);
  const shown = (file: string): string => (file === configPath ? shownAs : relative(registryDir, file).split("\\").join("/"));
  const compiler = `${COMPILER_ID} build ${options.toolBuild}`;
  const cached = readRegistryCache(options.cacheDirs, configPath, compiler, options.toolEntryUrl, options.readSource);
  const graph = cached ?? (await compileGraph(configPath, options, shown));
  if ("diagnostics" in graph) return { diagnostics: graph.diagnostics };
  const placed = materialize(options.cacheDirs, graph);
  // Recorded only once the modules are in place: an entry never names a module that is not there.
  if (!cached && placed.dir !== undefined) writeRegistryCache(placed.dir, configPath, compiler, options.toolEntryUrl, graph);
  let mod: { default?: unknown };
  try {
    const evaluated = await evaluateModule(placed.entryUrl, options.deadline);
    if (evaluated === TIMED_OUT) return { diagnostics: [timeoutDiagnostic(shownAs, options.deadline.ms)] };
    mod = evaluated;
  } catch (e) {
    return { diagnostics: [loadFailure(e, shownAs)] };
  }
  if (mod.default === undefined)
    return {
      diagnostics: [error("CONFIG_NO_DEFAULT_EXPORT", "the registry has no default export", { file: shownAs, fix: "end the file with `export default defineConfig({ … })`" })],
    };
  return { value: mod.default, diagnostics: [], inputs: graph.sources, repeatable: Object.values(graph.modules).every((m) => m.repeatable) };
}

function loadFailure(e: unknown, shownAs: string): Diagnostic {
  const err = e as { code?: unknown; message?: unknown } | null;
  const message = typeof err?.message === "string" ? err.message : String(e);
  if (err?.code === "ERR_MODULE_NOT_FOUND" || err?.code === "ERR_PACKAGE_PATH_NOT_EXPORTED") {
    const pkg = /Cannot find package '([^']+)'/.exec(message)?.[1];
    return error("CONFIG_LOAD_FAILED", pkg ? `the registry imports the package "${pkg}", which is not installed` : `the registry's import failed: ${message}`, {
      file: shownAs,
      fix: pkg ? `install it in the repository (\`pnpm add -D ${pkg}\` or \`npm install -D ${pkg}\`)` : "correct the import, or install the package",
    });
  }
  return error("CONFIG_LOAD_FAILED", `the registry threw while loading: ${message}`, { file: shownAs, fix: "fix the error in the registry's code" });
}

/**
 * Code that may give another value on the next run with the same files: the environment, the
 * clock, randomness, the network, other modules by name. Over-matching (a comment saying
 * "process") only costs the warm check's shortcut; a hyphenated name like "process-payouts" is
 * not a match.
 */
const UNREPEATABLE = /(?<![\w$-])(process|globalThis|global|Deno|Bun|require|eval|Function|fetch|Date|performance|crypto|WebAssembly|XMLHttpRequest)(?![\w$-])|\bMath\s*\.\s*random\b/;

type Transpile = (text: string, file: string) => string;

async function compileGraph(configPath: string, options: LoadOptions, shown: (file: string) => string): Promise<CompiledGraph | { diagnostics: Diagnostic[] }> {
  // Loaded only on a cache miss: together they cost ~30 ms to import.
  const [sucrase, lexer] = await Promise.all([import("sucrase"), import("es-module-lexer")]);
  // sucrase is CommonJS: bundled, its exports arrive as the namespace's default.
  const transform = sucrase.transform ?? (sucrase as unknown as { default: typeof sucrase }).default.transform;
  await lexer.init();
  const transpile: Transpile = (text, file) =>
    /\.(c|m)?js$/.test(file) ? text : transform(text, { transforms: ["typescript"], disableESTransforms: true, filePath: file }).code;
  // Every file is read once: the bytes hashed are the bytes compiled.
  const read = new Map<string, Buffer | undefined>();
  const readOnce: ReadSource = (path) => {
    if (!read.has(path)) read.set(path, options.readSource(path));
    return read.get(path);
  };
  const sources: Record<string, string> = {};
  const modules: Record<string, CompiledModule> = {};
  const diagnostics: Diagnostic[] = [];
  const done = new Map<string, string>();

  /** Compiles `file` and everything it imports locally; returns its module name, or undefined after a diagnostic. */
  function compile(file: string, chain: string[]): string | undefined {
    const known = done.get(file);
    if (known) return known;
    if (chain.includes(file)) {
      diagnostics.push(
        error("CONFIG_LOAD_FAILED", `circular import between registry files: ${[...chain.slice(chain.indexOf(file)), file].map(shown).join(" -> ")}`, {
          file: shown(file),
          fix: "move what both files need into a third file that imports neither",
        }),
      );
      return undefined;
    }
    let bytes: Buffer | undefined;
    try {
      bytes = readOnce(file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? String(e);
      diagnostics.push(error("CONFIG_LOAD_FAILED", `cannot read ${shown(file)} (${code})`, { file: shown(file), fix: "make the file readable by this user" }));
      return undefined;
    }
    if (bytes === undefined) {
      diagnostics.push(error("CONFIG_NOT_FOUND", `registry file not found: ${file}`, { file: shown(file), fix: "create services.config.ts, or pass --config <file>" }));
      return undefined;
    }
    sources[file] = sha(bytes);
    const text = bytes.toString("utf8");
    let js: string;
    try {
      js = extname(file) === ".json" ? `export default ${JSON.stringify(JSON.parse(text))};\n` : transpile(text, file);
    } catch (e) {
      // sucrase's and JSON's syntax errors carry where; anything else is ours.
      if (!(e instanceof SyntaxError)) throw e;
      diagnostics.push(syntaxError(e, text, file, shown(file)));
      return undefined;
    }
    let imports;
    try {
      imports = lexer.parse(js, file)[0];
    } catch (e) {
      const at = typeof (e as { idx?: unknown }).idx === "number" ? position(js, (e as { idx: number }).idx) : {};
      diagnostics.push(error("CONFIG_LOAD_FAILED", `cannot read the imports of this file: ${(e as Error).message}`, { file: shown(file), ...at, fix: "fix the JavaScript syntax error" }));
      return undefined;
    }
    // Rewrite from the end so earlier offsets stay valid.
    let code = js;
    const deps: string[] = [];
    let repeatable = !UNREPEATABLE.test(js);
    for (const imp of [...imports].reverse()) {
      const spec = imp.specifier;
      if (typeof spec !== "string") {
        repeatable = false; // import(expression), import.meta
        continue;
      }
      const quoted = imp.type === "dynamic" ? { start: imp.start, end: imp.end } : { start: imp.start - 1, end: imp.end + 1 };
      let target: string | undefined;
      if (spec === PACKAGE_NAME) target = options.toolEntryUrl;
      else if (spec.startsWith("./") || spec.startsWith("../") || isAbsolute(spec) || spec.startsWith("file:")) {
        const dep = resolveLocal(spec, file, readOnce);
        if (!dep) {
          diagnostics.push(
            error("CONFIG_LOAD_FAILED", `cannot find "${spec}" imported by ${shown(file)}`, {
              file: shown(file),
              ...position(js, imp.start),
              fix: "correct the import path (relative to the importing file)",
            }),
          );
          continue;
        }
        const name = compile(dep, [...chain, file]);
        if (!name) continue;
        deps.push(name);
        target = `./${name}.mjs`;
      }
      else repeatable = false; // a package or builtin module: its files are not hashed
      if (target !== undefined) code = code.slice(0, quoted.start) + JSON.stringify(target) + code.slice(quoted.end);
    }
    const name = sha(code);
    modules[name] = { code, deps: [...new Set(deps)].sort(), repeatable };
    done.set(file, name);
    return name;
  }

  const entry = compile(configPath, []);
  if (!entry || diagnostics.length) return { diagnostics };
  return { entry, sources, modules };
}

/** The file a relative import names: as written, then TypeScript's conventions (`.js` for `.ts`, no extension, a folder's index). */
function resolveLocal(spec: string, importer: string, readSource: ReadSource): string | undefined {
  const base = spec.startsWith("file:") ? fileURLToPath(spec) : resolve(dirname(importer), spec);
  const stem = base.replace(/\.(m|c)?js$/, "");
  const candidates = [base, `${stem}.ts`, `${stem}.mts`, `${stem}.tsx`, `${base}.ts`, `${base}.mts`, `${base}.js`, `${base}.mjs`, `${base}.json`, `${base}/index.ts`, `${base}/index.js`];
  return candidates.find((c) => !c.endsWith("/") && isFileReadable(c, readSource));
}

function isFileReadable(path: string, readSource: ReadSource): boolean {
  try {
    return readSource(path) !== undefined;
  } catch {
    return false;
  }
}

function syntaxError(e: unknown, text: string, path: string, file: string): Diagnostic {
  const err = e as { message?: unknown; pos?: unknown } | null;
  // sucrase says "Error transforming <absolute path>: <what> (line:col)"; the diagnostic names the file and place itself.
  const message = (typeof err?.message === "string" ? err.message : String(e)).replace(`Error transforming ${path}: `, "").replace(/\s*\(\d+:\d+\)$/, "");
  const at = typeof err?.pos === "number" ? position(text, err.pos) : {};
  return error("CONFIG_LOAD_FAILED", message, { file, ...at, fix: "fix the TypeScript syntax error" });
}

/** 1-based line and column of an offset. */
function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return { line, column: offset - (before.lastIndexOf("\n") + 1) + 1 };
}

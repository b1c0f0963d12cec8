/**
 * The git index as the pre-commit check needs it: which of some paths differ between the index
 * and the working tree, which are in the index, and a copy of those index entries in a folder.
 * The only module that runs git. Every call inherits the caller's environment, so inside a hook
 * `GIT_INDEX_FILE` (set by `git commit -a` and `git commit <paths>`, which commit a temporary
 * index) is the index that is read.
 */
import { spawnSync } from "node:child_process";
import { relative, resolve, sep } from "node:path";

type Env = Readonly<Record<string, string | undefined>>;

function git(cwd: string, args: readonly string[], env: Env, input?: string): { ok: boolean; stdout: string } {
  // --literal-pathspecs: a registry or template path is a file name, never a glob.
  // --no-optional-locks: `git commit` holds the index lock while its hook runs.
  const r = spawnSync("git", ["--literal-pathspecs", "--no-optional-locks", ...args], {
    cwd,
    env: env as NodeJS.ProcessEnv,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    ...(input !== undefined ? { input } : {}),
  });
  return { ok: r.status === 0 && !r.error, stdout: r.stdout ?? "" };
}

/** The top folder of the working tree holding `dir`; undefined outside a repository or without git. */
export function workTreeTop(dir: string, env: Env): string | undefined {
  const r = git(dir, ["rev-parse", "--show-toplevel"], env);
  const top = r.stdout.trim();
  return r.ok && top ? resolve(top) : undefined;
}

/** `path` relative to `top` with `/` separators; undefined when it is outside the working tree. */
export function insideWorkTree(top: string, path: string): string | undefined {
  const rel = relative(top, path);
  if (rel === "") return ".";
  if (rel.startsWith("..") || resolve(top, rel) !== resolve(path)) return undefined;
  return rel.split(sep).join("/");
}

/**
 * Paths (relative to `top`) under `pathspecs` whose working-tree side differs from the index:
 * modified or deleted but not staged, or untracked (so also a file staged as deleted that is still
 * on disk). Undefined when git fails.
 */
export function unstagedPaths(top: string, pathspecs: readonly string[], env: Env): string[] | undefined {
  const r = git(top, ["status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames", "--", ...pathspecs], env);
  if (!r.ok) return undefined;
  const out: string[] = [];
  for (const entry of r.stdout.split("\0")) {
    if (entry.length < 4) continue;
    // "XY path": X is index vs HEAD, Y is working tree vs index ("?" for untracked).
    if (entry[1] !== " ") out.push(entry.slice(3));
  }
  return out.sort();
}

/** Paths in the index under `pathspecs`, relative to `top`. */
export function indexedPaths(top: string, pathspecs: readonly string[], env: Env): string[] | undefined {
  const r = git(top, ["ls-files", "-z", "--cached", "--", ...pathspecs], env);
  return r.ok ? [...new Set(r.stdout.split("\0").filter(Boolean))].sort() : undefined;
}

/** Writes the index's version of each path below `dest` (which must end with `/`). */
export function checkoutIndex(top: string, paths: readonly string[], dest: string, env: Env): boolean {
  if (paths.length === 0) return true;
  return git(top, ["checkout-index", "--force", "-z", "--stdin", `--prefix=${dest}`], env, paths.join("\0") + "\0").ok;
}

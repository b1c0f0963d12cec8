/**
 * What the audit reads of a repository, injected so every check is a pure function of it (the
 * tests give it a fixture folder; `fs-repo-files.ts` is the one adapter over the disk).
 * Paths are relative to the repository root, with `/` separators; "" is the root.
 */
export interface RepoEntry {
  name: string;
  directory: boolean;
}

export interface RepoFiles {
  /** Entries of a folder, sorted by name; empty when the folder does not exist. */
  list(dir: string): RepoEntry[];
  /** A file's text; undefined when it does not exist or is a folder. */
  read(path: string): string | undefined;
  exists(path: string): boolean;
}

export function joinPath(...parts: string[]): string {
  return parts.filter((p) => p !== "").join("/").replace(/\/+/g, "/").replace(/\/$/, "");
}

/** Every file under `dir` (relative to the repository root), depth first, sorted. */
export function walkFiles(files: RepoFiles, dir: string): string[] {
  return files.list(dir).flatMap((e) => (e.directory ? walkFiles(files, joinPath(dir, e.name)) : [joinPath(dir, e.name)]));
}

export const isManifestFile = (path: string): boolean => /\.ya?ml$/.test(path);

/** The audit's one adapter over the disk: a read-only RepoFiles rooted at a folder. */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { RepoFiles } from "./repo-files.ts";

/** Folders never worth walking: dependencies and VCS data. */
const SKIPPED = new Set(["node_modules", ".git"]);

export function diskRepoFiles(root: string): RepoFiles {
  const abs = (p: string): string => (p === "" ? root : join(root, ...p.split("/")));
  return {
    list(dir) {
      const path = abs(dir);
      if (!existsSync(path) || !statSync(path).isDirectory()) return [];
      return readdirSync(path, { withFileTypes: true })
        .filter((e) => !SKIPPED.has(e.name) && (e.isDirectory() || e.isFile()))
        .map((e) => ({ name: e.name, directory: e.isDirectory() }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
    read(path) {
      const p = abs(path);
      return existsSync(p) && statSync(p).isFile() ? readFileSync(p, "utf8") : undefined;
    },
    exists: (path) => existsSync(abs(path)),
  };
}

/**
 * Whether the index and the working tree agree on everything the check reads: the registry (and
 * every spelling of the files it imports), the templates, and `.github/`. When they do, the
 * staged check's answer is the working tree's, so it may take the ordinary (and warm) `--check`
 * path. Light on purpose: main.ts asks this before any of the pipeline loads.
 */
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { ProjectPaths } from "../commands/paths.ts";
import { insideWorkTree, unstagedPaths, workTreeTop } from "../git-index.ts";
import { registryImports, type RegistryImports } from "./registry-imports.ts";

/** Where generated files live (workflows, and support files beside them): always looked at. */
export const GENERATED_ROOT = ".github";

export interface StagedState {
  top: string;
  /** The registry and the root, relative to the working tree's top. */
  configRel: string;
  rootRel: string;
  /** Pathspecs whose index state decides the check. */
  specs: string[];
  /** Of those, the paths whose working-tree side differs from the index. */
  unstaged: string[];
  worktreeImports: RegistryImports;
}

/** Pathspecs (repository-relative) whose index state decides the check. */
export function relevantPathspecs(input: { registryCandidates: readonly string[]; templatesDir: string | undefined; rootPrefix: string }): string[] {
  const specs = new Set(input.registryCandidates);
  if (input.templatesDir !== undefined) specs.add(input.templatesDir);
  specs.add(input.rootPrefix === "." ? GENERATED_ROOT : `${input.rootPrefix}/${GENERATED_ROOT}`);
  return [...specs].sort();
}

/** A file's text; undefined for anything that is not a readable file (a folder, nothing). */
export function readFileQuietly(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The index's state for these paths; undefined outside a git working tree, when the registry or
 * the root is outside it, or when git fails: then the working tree is all there is to check.
 */
export function stagedState(paths: ProjectPaths, env: Readonly<Record<string, string | undefined>>, read: (path: string) => string | undefined = readFileQuietly): StagedState | undefined {
  // A missing root is gen's usage error; git needs an existing folder to start in.
  const top = isFolder(paths.root) ? workTreeTop(paths.root, env) : undefined;
  if (!top) return undefined;
  const configRel = insideWorkTree(top, paths.configPath);
  const rootRel = insideWorkTree(top, paths.root);
  if (configRel === undefined || rootRel === undefined) return undefined;
  const worktreeImports = registryImports(configRel, (p) => read(join(top, p)));
  const specs = relevantPathspecs({ registryCandidates: worktreeImports.candidates, templatesDir: insideWorkTree(top, paths.templatesDir), rootPrefix: rootRel });
  const unstaged = unstagedPaths(top, specs, env);
  if (unstaged === undefined) return undefined;
  return { top, configRel, rootRel, specs, unstaged, worktreeImports };
}

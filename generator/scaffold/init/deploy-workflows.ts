/**
 * Which of a repository's workflows are hand-written deploy workflows for `import`, and which
 * environment each deploys: files in `.github/workflows/` without our banner that run kubectl,
 * the production one pushed from main/master (or named prod/aks), the staging one from a staging
 * branch (or named so). Pure: reads through RepoFiles.
 */
import { parse } from "yaml";
import type { RepoFiles } from "../../audit/repo-files.ts";
import { isGenerated } from "../../render/emit.ts";

export interface FoundDeployWorkflows {
  production?: string;
  staging?: string;
  /** Deploy workflows that could not be told apart, or a third one. */
  unpaired: string[];
}

function pushBranches(text: string): string[] {
  try {
    const doc = parse(text) as { on?: unknown; true?: unknown } | null;
    const on = (doc?.on ?? doc?.true) as { push?: { branches?: unknown } } | undefined;
    const branches = on && typeof on === "object" ? on.push?.branches : undefined;
    return Array.isArray(branches) ? branches.filter((b): b is string => typeof b === "string") : typeof branches === "string" ? [branches] : [];
  } catch {
    return [];
  }
}

function environmentOf(file: string, text: string): "production" | "staging" | undefined {
  const branches = pushBranches(text);
  if (branches.some((b) => /stag/i.test(b))) return "staging";
  if (branches.some((b) => /^(main|master|prod(uction)?|release)$/.test(b))) return "production";
  if (/stag/i.test(file)) return "staging";
  if (/prod|aks|main|live/i.test(file)) return "production";
  return undefined;
}

export function findDeployWorkflows(files: RepoFiles): FoundDeployWorkflows {
  const found: FoundDeployWorkflows = { unpaired: [] };
  for (const e of files.list(".github/workflows")) {
    if (e.directory || !/\.ya?ml$/.test(e.name)) continue;
    const path = `.github/workflows/${e.name}`;
    const text = files.read(path) ?? "";
    if (isGenerated(text) || !/\bkubectl\s/.test(text)) continue;
    const env = environmentOf(e.name, text);
    if (env && found[env] === undefined) found[env] = path;
    else found.unpaired.push(path);
  }
  return found;
}

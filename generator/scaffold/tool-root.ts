/**
 * Where this tool is installed: the folder holding its package.json and templates/. That is the
 * repository root when running from source (the launcher's bundle sits in node_modules/.cache/…)
 * and the package folder when installed (dist/ sits beside templates/), so it is found by walking
 * up, not by a fixed relative path.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { TEMPLATE_FILES } from "../render/template-files.ts";

export function toolRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "templates", TEMPLATE_FILES.clusterPrerequisites))) return dir;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
}

/** True when running from the installed package (dist/ beside templates/), not from this repository's sources. */
export function runsFromPackage(): boolean {
  return !existsSync(join(toolRoot(), "generator", "config", "registry.ts"));
}

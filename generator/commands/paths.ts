/**
 * Where things are: the registry, the repository root, the templates. Kept free of the pipeline's
 * modules because the warm check (warm-check.ts) resolves the same paths before loading any of them.
 */
import { existsSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import type { CommonOptions } from "../cli-types.ts";
import { TEMPLATE_FILES } from "../render/template-files.ts";
import { toolRoot } from "../scaffold/tool-root.ts";

export interface ProjectPaths {
  /** Absolute path of the registry file. */
  configPath: string;
  /** The registry as named in messages and banners, relative to the root. */
  configFile: string;
  /** Absolute repository root (holds .github/workflows). */
  root: string;
  /** Absolute templates folder. */
  templatesDir: string;
}

export function resolvePaths(options: CommonOptions, cwd: string): ProjectPaths {
  const configPath = resolve(cwd, options.config ?? "services.config.ts");
  const root = options.root ? resolve(cwd, options.root) : resolve(configPath, "..");
  const own = join(root, "templates");
  // The repository's own templates/ when it has them, else the tool's.
  const templatesDir = existsSync(join(own, TEMPLATE_FILES.clusterPrerequisites)) ? own : join(toolRoot(), "templates");
  return { configPath, configFile: relative(root, configPath).split(sep).join("/") || "services.config.ts", root, templatesDir };
}

/**
 * hashFiles() for expressions such as an actions/cache key. Same result shape as the runner's:
 * the SHA-256 of the concatenated SHA-256 digests of the matching files in path order, or "" when
 * nothing matches. Patterns are workspace-relative globs (`*`, `**`, `?`); a leading `!` excludes.
 */
import { createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";

function globToRegExp(pattern: string): RegExp {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] ?? "";
    if (ch === "*" && pattern[i + 1] === "*") {
      // `**/` matches zero or more directories; a trailing `**` matches everything below.
      source += pattern[i + 2] === "/" ? "(?:.*/)?" : ".*";
      i += pattern[i + 2] === "/" ? 2 : 1;
    } else if (ch === "*") {
      source += "[^/]*";
    } else if (ch === "?") {
      source += "[^/]";
    } else {
      source += ch.replace(/[.+^${}()|[\]\\]/g, "\\$&");
    }
  }
  return new RegExp(`^${source}$`);
}

function filesUnder(dir: string, root: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === ".git") return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(path, root);
    return entry.isFile() ? [relative(root, path)] : [];
  });
}

export function hashFiles(workspace: string, patterns: readonly string[]): string {
  const include = patterns.filter((p) => !p.startsWith("!")).map((p) => globToRegExp(p.replace(/^\.\//, "")));
  const exclude = patterns.filter((p) => p.startsWith("!")).map((p) => globToRegExp(p.slice(1).replace(/^\.\//, "")));
  const matched = filesUnder(workspace, workspace)
    .filter((file) => include.some((re) => re.test(file)) && !exclude.some((re) => re.test(file)))
    .sort();
  if (matched.length === 0) return "";
  const outer = createHash("sha256");
  for (const file of matched) outer.update(createHash("sha256").update(readFileSync(join(workspace, file))).digest());
  return outer.digest("hex");
}

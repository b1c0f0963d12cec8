/**
 * Where this tool is installed (the folder holding generator/ and templates/): the bundle runs
 * from node_modules/.cache/…, so it is found by walking up, not by a fixed relative path.
 */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { readIfExists } from "../io.ts";

export function toolRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (readIfExists(join(dir, "generator", "config", "registry.ts")) !== undefined) return dir;
    dir = dirname(dir);
  }
  return resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
}

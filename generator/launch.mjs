#!/usr/bin/env node
// Entry of `pnpm gen:workflows`. Runs the CLI from an esbuild bundle, rebuilding it first when
// any file of generator/ (or the lockfile) is newer than the bundle, so an edit to the
// generator is never checked against stale code.
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const generatorDir = dirname(fileURLToPath(import.meta.url));
const repoDir = dirname(generatorDir);
const outdir = join(repoDir, "node_modules", ".cache", "gen-workflows", "bundle");
const bundle = join(outdir, "cli.mjs");

function newestSourceMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSourceMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function isStale() {
  if (!existsSync(bundle)) return true;
  const built = statSync(bundle).mtimeMs;
  const lockfile = join(repoDir, "pnpm-lock.yaml");
  return newestSourceMtime(generatorDir) > built || (existsSync(lockfile) && statSync(lockfile).mtimeMs > built);
}

if (isStale()) {
  const { buildBundle } = await import("./build-bundle.mjs");
  await buildBundle({ entry: join(generatorDir, "main.ts"), outdir });
}
await import(pathToFileURL(bundle).href);

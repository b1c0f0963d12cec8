#!/usr/bin/env node
// Entry of `pnpm gen:workflows`. Runs the CLI from an esbuild bundle. The bundle's folder is
// named after the newest modification time of generator/ and the lockfile, so an edit to the
// generator is never checked against stale code, and concurrent runs (tests, hooks) never see
// a half-built bundle: it is built in a private folder and renamed into place.
import { existsSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const generatorDir = dirname(fileURLToPath(import.meta.url));
const repoDir = dirname(generatorDir);
const cacheDir = join(repoDir, "node_modules", ".cache", "gen-workflows");

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

const lockfile = join(repoDir, "pnpm-lock.yaml");
const key = `${Math.floor(newestMtime(generatorDir))}-${existsSync(lockfile) ? Math.floor(statSync(lockfile).mtimeMs) : 0}`;
const bundleDir = join(cacheDir, `bundle-${key}`);

if (!existsSync(join(bundleDir, "cli.mjs"))) {
  const { buildBundle } = await import("./build-bundle.mjs");
  const privateDir = `${bundleDir}.${process.pid}.tmp`;
  await buildBundle({ entry: join(generatorDir, "main.ts"), outdir: privateDir });
  try {
    renameSync(privateDir, bundleDir);
  } catch {
    // Another process renamed its identical build into place first.
    rmSync(privateDir, { recursive: true, force: true });
  }
  for (const old of readdirSync(cacheDir)) {
    if (old.startsWith("bundle-") && old !== `bundle-${key}` && !old.endsWith(".tmp")) rmSync(join(cacheDir, old), { recursive: true, force: true });
  }
}
await import(pathToFileURL(join(bundleDir, "cli.mjs")).href);

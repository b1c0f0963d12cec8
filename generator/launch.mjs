#!/usr/bin/env node
// Entry of `pnpm gen:workflows` in this repository (the installed package runs its prebuilt
// dist/cli.mjs instead). Runs the CLI from an esbuild bundle. The bundle's folder is
// named after a hash of every file of generator/ and the lockfile (path, size, modification
// time), so any edit — or a restored older file — gets its own bundle and the check never runs
// stale code; concurrent runs (tests, hooks) never see a half-built bundle: it is built in a
// private folder and renamed into place. Statting ~80 files costs about a millisecond.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const generatorDir = dirname(fileURLToPath(import.meta.url));
const repoDir = dirname(generatorDir);
const cacheDir = join(repoDir, "node_modules", ".cache", "gen-workflows");

/** Appends "path size mtime" of every file below `dir` to `hash`, in a stable order. */
function fingerprint(dir, hash) {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) fingerprint(path, hash);
    else {
      const st = statSync(path);
      hash.update(`${path} ${st.size} ${st.mtimeMs}\n`);
    }
  }
}

const hash = createHash("sha256");
fingerprint(generatorDir, hash);
const lockfile = join(repoDir, "pnpm-lock.yaml");
if (existsSync(lockfile)) hash.update(`lock ${statSync(lockfile).size} ${statSync(lockfile).mtimeMs}`);
const key = hash.digest("hex").slice(0, 16);
const bundleDir = join(cacheDir, `bundle-${key}`);

if (!existsSync(join(bundleDir, "cli.mjs"))) {
  const privateDir = `${bundleDir}.${process.pid}.tmp`;
  try {
    const { buildBundle } = await import("./build/bundle.mjs");
    await buildBundle({ generatorDir, outdir: privateDir, buildId: `source-${key}` });
  } catch (e) {
    // Not drift (1) and not a bug in the workflows' generator (3): this checkout cannot build the tool.
    rmSync(privateDir, { recursive: true, force: true });
    process.stderr.write(
      `gen:workflows: cannot build the CLI from generator/: ${e instanceof Error ? e.message : String(e)}\n  fix: run \`pnpm install\` (esbuild is a devDependency) and fix any syntax error it names under generator/\n`,
    );
    process.exit(2);
  }
  try {
    renameSync(privateDir, bundleDir);
  } catch {
    // Another process renamed its identical build into place first.
    rmSync(privateDir, { recursive: true, force: true });
  }
  // Old bundles go once nobody can still be running from them: a process started before a source
  // edit keeps importing its own bundle's lazy chunks for a while. (Registry caches stay: one
  // small file per registry path, and one may be about to be imported by a concurrent run.)
  // Cleaning is best effort: another launcher may be renaming or removing the same entries, and
  // a failure here must never become this run's exit code.
  const stale = Date.now() - 60 * 60 * 1000;
  for (const old of readdirSync(cacheDir)) {
    if (old === `bundle-${key}` || !old.startsWith("bundle-")) continue;
    const path = join(cacheDir, old);
    try {
      if (statSync(path).mtimeMs < stale) rmSync(path, { recursive: true, force: true });
    } catch {
      // gone already, or in use by a concurrent build
    }
  }
}
await import(pathToFileURL(join(bundleDir, "cli.mjs")).href);

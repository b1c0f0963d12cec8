#!/usr/bin/env node
// Builds the package's dist/ (run by `prepack`, so `pnpm pack` and `npm pack` always ship a fresh
// build): the bundled CLI and public entry (esbuild, a devDependency), and the registry types as
// .d.ts (tsc), so a user's `import { defineConfig } from "gen-workflows"` is typed and documented.
// The build id is a hash of everything the bundle is made from; the warm check's records are
// keyed by it, so an upgraded package never replays a record of another build.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { buildBundle } from "./bundle.mjs";

const repoDir = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const generatorDir = join(repoDir, "generator");
const distDir = join(repoDir, "dist");

/** Every file below `dir`, sorted, as paths relative to the repository. */
function filesBelow(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => relative(repoDir, join(e.parentPath, e.name)))
    .sort();
}

const hash = createHash("sha256");
for (const file of [...filesBelow(generatorDir), "package.json", "pnpm-lock.yaml"]) hash.update(`${file}\0${readFileSync(join(repoDir, file))}\0`);
const version = JSON.parse(readFileSync(join(repoDir, "package.json"), "utf8")).version;
const buildId = `${version}-${hash.digest("hex").slice(0, 16)}`;

await buildBundle({ generatorDir, outdir: distDir, buildId, minify: true });

// Declarations for the public entry only: the registry types and defineConfig, with their JSDoc.
const tsc = spawnSync(
  process.execPath,
  [
    join(repoDir, "node_modules", "typescript", "bin", "tsc"),
    "--ignoreConfig",
    join(generatorDir, "index.ts"),
    ...["--declaration", "--emitDeclarationOnly", "--outDir", join(distDir, "types")],
    ...["--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2022", "--strict", "--skipLibCheck", "--allowImportingTsExtensions", "--types", "node"],
  ],
  { stdio: "inherit" },
);
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
// The sources import each other with `.ts`; a consumer's TypeScript resolves `.js` to the `.d.ts`.
for (const file of filesBelow(join(distDir, "types"))) {
  const path = join(repoDir, file);
  writeFileSync(path, readFileSync(path, "utf8").replace(/(from\s+["']\.{1,2}\/[^"']+)\.ts(["'])/g, "$1.js$2"));
}
rmSync(join(distDir, "metafile.json"), { force: true });
console.log(`built dist/ (${filesBelow(distDir).length} files, build ${buildId})`);

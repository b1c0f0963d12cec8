// Bundles the CLI with esbuild. Run by launch.mjs whenever a source file is newer than the bundle.
// Why a bundle: node cannot load @actions/workflow-parser directly (it imports JSON without an
// import attribute), and tsx would spend ~300 ms per run on the pre-commit path.
import { build } from "esbuild";
import { rmSync } from "node:fs";

/** @param {{ entry: string, outdir: string }} paths */
export async function buildBundle({ entry, outdir }) {
  rmSync(outdir, { recursive: true, force: true });
  await build({
    entryPoints: { cli: entry },
    outdir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    outExtension: { ".js": ".mjs" },
    // Loaded from node_modules at run time, only by the commands that need them.
    external: ["esbuild", "ts-morph"],
    banner: { js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);' },
    logLevel: "error",
  });
}

// Bundles the CLI with esbuild. Run by launch.mjs whenever a source file is newer than the bundle.
// Why a bundle: node cannot load @actions/workflow-parser directly (it imports JSON without an
// import attribute), and tsx would spend ~300 ms per run on the pre-commit path.
// The runner bundle (`.github/deploy/deploy.mjs`) is built here too, as runner.mjs beside cli.mjs,
// so `--check` reads its text instead of loading esbuild.
import { build } from "esbuild";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runnerBuildOptions } from "./runner-build-options.mjs";

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
  const runner = await build(runnerBuildOptions());
  mkdirSync(outdir, { recursive: true });
  writeFileSync(join(outdir, "runner.mjs"), runner.outputFiles[0].text);
}

// Bundles the CLI with esbuild: by launch.mjs (this repository, from source) and by
// generator/build/dist.mjs (the package's dist/). Why a bundle: node cannot load
// @actions/workflow-parser directly (it imports JSON without an import attribute), one file per
// stage loads faster than hundreds of node_modules files, and the package then needs no bundler
// or TypeScript runner of its own at install or run time.
// The runner bundle (`.github/deploy/deploy.mjs`) is built here too, as runner.mjs beside cli.mjs,
// so `--check` reads its text instead of loading esbuild.
import { build } from "esbuild";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runnerBuildOptions } from "./runner-options.mjs";

/** @param {{ generatorDir: string, outdir: string, buildId: string, minify?: boolean }} options */
export async function buildBundle({ generatorDir, outdir, buildId, minify = false }) {
  rmSync(outdir, { recursive: true, force: true });
  await build({
    // cli: the process entry (the package's bin); index: `import … from "gen-workflows"`.
    entryPoints: { cli: join(generatorDir, "main.ts"), index: join(generatorDir, "index.ts") },
    outdir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    outExtension: { ".js": ".mjs" },
    // ESM builds first (packages without an exports map, like sucrase, ship both): a third smaller
    // once tree-shaken, which is start-up time on the first check.
    mainFields: ["module", "main"],
    // Loaded from node_modules at run time, only by the commands that edit TypeScript.
    external: ["ts-morph"],
    define: { __GEN_WORKFLOWS_BUILD_ID__: JSON.stringify(buildId) },
    minify,
    legalComments: "none",
    banner: { js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);' },
    logLevel: "error",
  });
  const runner = await build(runnerBuildOptions());
  mkdirSync(outdir, { recursive: true });
  writeFileSync(join(outdir, "runner.mjs"), runner.outputFiles[0].text);
}

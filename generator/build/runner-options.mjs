// esbuild options of the runner bundle (`.github/deploy/deploy.mjs`), shared by the launcher's
// build (bundle.mjs) and the source-tree loader (runner-bundle.ts), so both produce the
// same bytes. Paths in esbuild's comments are relative to absWorkingDir (the tool's root), so
// the output names no absolute path.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const generatorDir = dirname(dirname(fileURLToPath(import.meta.url)));

/** @returns {import("esbuild").BuildOptions & { write: false }} */
export function runnerBuildOptions() {
  return {
    entryPoints: [join(generatorDir, "runner", "main.ts")],
    absWorkingDir: dirname(generatorDir),
    bundle: true,
    write: false,
    format: "esm",
    platform: "node",
    // The runner's own Node (GitHub-hosted runners ship Node 20 and 24).
    target: "node20",
    legalComments: "none",
    charset: "utf8",
    logLevel: "error",
  };
}

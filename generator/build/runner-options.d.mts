import type { BuildOptions } from "esbuild";
export function runnerBuildOptions(): BuildOptions & { write: false };

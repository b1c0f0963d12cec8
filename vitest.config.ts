import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // Registries written by import and init say `from "gen-workflows"`; tests that load one
  // in-process get this checkout's entry (the CLI's loader binds it to the running tool itself).
  resolve: { alias: { "gen-workflows": fileURLToPath(new URL("./generator/index.ts", import.meta.url)) } },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    server: {
      // @actions/workflow-parser imports JSON without an import attribute; Node's loader refuses
      // that, so vitest must transform it instead of handing it to Node.
      deps: { inline: ["@actions/workflow-parser"] },
    },
  },
});

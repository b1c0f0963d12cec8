import { defineConfig } from "vitest/config";

export default defineConfig({
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

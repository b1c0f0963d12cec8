/**
 * The text of the runner bundle (`.github/deploy/deploy.mjs`). From the launcher's bundle folder
 * (`runner.mjs`, built with the CLI) when running from there, so `--check` never loads esbuild;
 * from source (tests, tsx), built once with the same options and cached by a hash of the runner's
 * sources.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { writeFileAtomic } from "../atomic-file.ts";
import { runnerBuildOptions } from "./runner-options.mjs";

let memo: string | undefined;

export function runnerBundle(): string {
  if (memo !== undefined) return memo;
  const here = dirname(fileURLToPath(import.meta.url));
  const prebuilt = join(here, "runner.mjs");
  if (existsSync(prebuilt)) return (memo = readFileSync(prebuilt, "utf8"));
  // From source this file is generator/build/runner-bundle.ts.
  return (memo = fromSource(dirname(here)));
}

function fromSource(generatorDir: string): string {
  const runnerDir = join(generatorDir, "runner");
  const hash = createHash("sha256");
  for (const f of readdirSync(runnerDir).sort()) if (f.endsWith(".ts")) hash.update(`${f}\0${readFileSync(join(runnerDir, f), "utf8")}\0`);
  hash.update(readFileSync(join(generatorDir, "build", "runner-options.mjs"), "utf8"));
  const cacheDir = join(dirname(generatorDir), "node_modules", ".cache", "gen-workflows");
  const cached = join(cacheDir, `runner-${hash.digest("hex").slice(0, 16)}.mjs`);
  if (existsSync(cached)) return readFileSync(cached, "utf8");
  // Loaded only here: a source-tree run whose runner sources changed.
  const require = createRequire(import.meta.url);
  const esbuild = require("esbuild") as typeof import("esbuild");
  const text = esbuild.buildSync(runnerBuildOptions()).outputFiles[0]!.text;
  writeFileAtomic(cached, text);
  return text;
}

/** A temporary repository with a copy of the default registry, and a way to run the real CLI in it. */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { LAUNCHER, REPO } from "./repo.ts";

export interface TempRepo {
  dir: string;
  configPath: string;
  /** Runs `pnpm gen:workflows` (the real launcher) with --config/--root pointing here. */
  run(args: string[], env?: Record<string, string>): { code: number; stdout: string; stderr: string };
  read(rel: string): string;
  write(rel: string, text: string): void;
  /** Every file under the repo with its content, to assert what a command changed. */
  snapshot(): Map<string, string>;
}

/** The registry imports defineConfig by a relative path; a copy elsewhere needs an absolute one. */
export function registryCopy(text: string): string {
  return text.replace(/from "\.\/generator\/config\/registry\.ts"/, `from ${JSON.stringify(join(REPO, "generator", "config", "registry.ts"))}`);
}

export function makeTempRepo(options: { withWorkflows?: boolean; registryText?: string } = {}): TempRepo {
  const dir = mkdtempSync(join(tmpdir(), "gen-workflows-"));
  const configPath = join(dir, "services.config.ts");
  writeFileSync(configPath, options.registryText ?? registryCopy(readFileSync(join(REPO, "services.config.ts"), "utf8")));
  cpSync(join(REPO, "templates"), join(dir, "templates"), { recursive: true });
  if (options.withWorkflows ?? true) {
    cpSync(join(REPO, ".github", "workflows"), join(dir, ".github", "workflows"), { recursive: true, filter: (src) => !src.endsWith("workflows-sync.yml") });
    // The runner bundle and data files the workflows run: generated with them.
    cpSync(join(REPO, ".github", "deploy"), join(dir, ".github", "deploy"), { recursive: true });
  }
  return {
    dir,
    configPath,
    run(args, env = {}) {
      const withConfig = args.includes("--config") ? args : [...args, "--config", configPath];
      const r = spawnSync(process.execPath, [LAUNCHER, ...withConfig], {
        cwd: dir,
        encoding: "utf8",
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? dir, NO_COLOR: "1", ...env },
      });
      return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
    },
    read: (rel) => readFileSync(join(dir, rel), "utf8"),
    write: (rel, text) => writeFileSync(join(dir, rel), text),
    snapshot: () => snapshotTree(dir),
  };
}

/** Every file under `dir` (relative path -> content), to assert exactly what a command changed. */
export function snapshotTree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else files.set(relative(dir, p), readFileSync(p, "utf8"));
    }
  };
  walk(dir);
  return files;
}

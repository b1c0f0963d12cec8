/**
 * The command a fix message tells the user to type, as THIS repository runs the tool:
 *
 * - its package.json has a `gen:workflows` script -> the script through the repository's package
 *   manager (`pnpm gen:workflows`, `npm run gen:workflows -- …`, `yarn gen:workflows`, `bun run …`);
 * - else the bin through it (`pnpm exec gen-workflows`, `npx gen-workflows`, `yarn gen-workflows`,
 *   `bunx gen-workflows`);
 * - with the `--config`/`--root` this run was given repeated, so the fix is copy-paste exact.
 *
 * The package manager is the one whose lockfile is nearest above the folder the command ran in
 * (that is where the user retypes it); without a lockfile, npm. Pure: the caller passes a reader.
 *
 * Generated files never contain this text: their banner is the same on every machine and for every
 * package manager (see render/emit.ts), so adding the script or switching to pnpm never makes a
 * committed workflow stale. Only messages name what the user has.
 */
import { dirname, join } from "node:path";

export type PackageManager = "pnpm" | "npm" | "yarn" | "bun";

/** What decides the command's spelling, read from the repository. */
export interface CommandFacts {
  packageManager: PackageManager;
  /** The nearest package.json defines a `gen:workflows` script. */
  hasScript: boolean;
}

export interface FixCommand {
  /** `<gen> [--config …] [--root …] [flags]`. */
  gen(flags?: string): string;
  /** `<gen> <subcommand> [--config …] [--root …] [flags]`; `withPaths: false` for a subcommand that takes neither. */
  subcommand(name: string, flags?: string, withPaths?: boolean): string;
}

export const SCRIPT_NAME = "gen:workflows";
export const BIN_NAME = "gen-workflows";

/** Lockfiles by package manager, in the order a tie (two lockfiles in one folder) is decided. */
const LOCKFILES: readonly [string, PackageManager][] = [
  ["pnpm-lock.yaml", "pnpm"],
  ["yarn.lock", "yarn"],
  ["bun.lock", "bun"],
  ["bun.lockb", "bun"],
  ["package-lock.json", "npm"],
  ["npm-shrinkwrap.json", "npm"],
];

/** Walks up from `cwd`: the nearest package.json says whether the script exists, the nearest lockfile names the manager. */
export function detectCommandFacts(cwd: string, readFile: (absolutePath: string) => string | undefined): CommandFacts {
  let hasScript: boolean | undefined;
  let packageManager: PackageManager | undefined;
  for (let dir = cwd; ; dir = dirname(dir)) {
    if (hasScript === undefined) {
      const manifest = readFile(join(dir, "package.json"));
      if (manifest !== undefined) hasScript = definesScript(manifest);
    }
    packageManager ??= LOCKFILES.find(([file]) => readFile(join(dir, file)) !== undefined)?.[1];
    if ((hasScript !== undefined && packageManager) || dirname(dir) === dir) break;
  }
  return { packageManager: packageManager ?? "npm", hasScript: hasScript ?? false };
}

function definesScript(packageJson: string): boolean {
  try {
    const scripts = (JSON.parse(packageJson) as { scripts?: unknown }).scripts;
    return typeof scripts === "object" && scripts !== null && Object.hasOwn(scripts, SCRIPT_NAME);
  } catch {
    return false; // a package.json that does not parse has no script we could run
  }
}

/** How the tool is started, without any arguments: `pnpm gen:workflows`, `npx gen-workflows`, … */
export function commandPrefix(facts: CommandFacts): { prefix: string; argsSeparator: string } {
  if (facts.hasScript) {
    switch (facts.packageManager) {
      case "pnpm":
        return { prefix: `pnpm ${SCRIPT_NAME}`, argsSeparator: "" };
      case "yarn":
        return { prefix: `yarn ${SCRIPT_NAME}`, argsSeparator: "" };
      case "bun":
        return { prefix: `bun run ${SCRIPT_NAME}`, argsSeparator: "" };
      case "npm":
        // npm takes flags after the script name as its own (`npm run x --force` forces npm): `--` passes them on.
        return { prefix: `npm run ${SCRIPT_NAME}`, argsSeparator: "-- " };
    }
  }
  switch (facts.packageManager) {
    case "pnpm":
      return { prefix: `pnpm exec ${BIN_NAME}`, argsSeparator: "" };
    case "yarn":
      return { prefix: `yarn ${BIN_NAME}`, argsSeparator: "" };
    case "bun":
      return { prefix: `bunx ${BIN_NAME}`, argsSeparator: "" };
    case "npm":
      return { prefix: `npx ${BIN_NAME}`, argsSeparator: "" };
  }
}

/** Shell-quotes a value only when it needs it. */
export function shellQuote(value: string): string {
  return /^[\w./@:=+,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

export function fixCommand(facts: CommandFacts, given: { config?: string | undefined; root?: string | undefined } = {}): FixCommand {
  const { prefix, argsSeparator } = commandPrefix(facts);
  const paths = [...(given.config !== undefined ? ["--config", shellQuote(given.config)] : []), ...(given.root !== undefined ? ["--root", shellQuote(given.root)] : [])];
  const line = (words: string[]): string => (words.length ? `${prefix} ${argsSeparator}${words.join(" ")}` : prefix);
  const split = (flags: string | undefined): string[] => (flags ? [flags] : []);
  return {
    gen: (flags) => line([...paths, ...split(flags)]),
    subcommand: (name, flags, withPaths = true) => line([name, ...(withPaths ? paths : []), ...split(flags)]),
  };
}

/** This repository's own spelling (a `gen:workflows` script, pnpm): the default for pure callers. */
export const DEFAULT_FIX_COMMAND: FixCommand = fixCommand({ packageManager: "pnpm", hasScript: true });

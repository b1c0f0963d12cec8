/**
 * The one error boundary. Whatever a command throws ends here and becomes exactly one report:
 * - an operating-system error (EACCES, EIO, ENOSPC, EISDIR…: the environment, not this tool)
 *   -> a diagnostic naming the path, what the OS said and how to fix it; exit 2;
 * - anything else -> "this is a bug" with the stack; exit 3.
 * With `--format json` the report is the run's one JSON document (unless the command already
 * printed its own). Building the report never throws: the thrown value may be anything (null, a
 * Symbol, a revoked proxy, an object whose getters throw), and a crash here would turn the exit
 * code into node's 1, which CI reads as drift.
 */
import { closeSync } from "node:fs";
import { isAbsolute, relative } from "node:path";
import { EXIT, type CliIo } from "./cli-types.ts";
import { describeThrown, systemErrorCode, systemErrorPath } from "./describe.ts";
import { type Diagnostic, error, formatDiagnosticAnnotation, formatDiagnosticText, JSON_SCHEMA_VERSION } from "./diagnostics.ts";

/** System calls that change the disk: their failure is a failed write. */
const WRITING_CALLS = new Set(["rename", "write", "mkdir", "unlink", "rmdir", "rm", "copyfile", "symlink", "chmod", "utime", "fsync", "close", "ftruncate"]);

const FIX_BY_ERRNO: Record<string, string> = {
  EACCES: "give this user permission on that path (or run where it has it), then run again",
  EPERM: "give this user permission on that path (or run where it has it), then run again",
  EROFS: "the filesystem is read-only: run on a writable checkout",
  ENOSPC: "free disk space, then run again",
  EDQUOT: "free disk space (the disk quota is exhausted), then run again",
  EIO: "the disk reported an I/O error: check the disk or filesystem, then run again",
  EISDIR: "a folder is where a file belongs: remove or rename the folder, then run again",
  ENOTDIR: "a file is where a folder belongs: remove or rename the file, then run again",
  EMFILE: "too many open files: raise the limit (`ulimit -n`), then run again",
  ENFILE: "too many open files on the system: close some programs, then run again",
  ENAMETOOLONG: "shorten the path",
  ELOOP: "a symbolic link points to itself: fix the link",
};

/**
 * An operating-system error -> its diagnostic; undefined for anything else. `cwd` makes the path
 * relative when it is inside the working folder, so messages carry no machine's absolute path.
 */
export function systemErrorDiagnostic(thrown: unknown, cwd: string, fallbackFile = "(unknown file)"): Diagnostic | undefined {
  const errno = systemErrorCode(thrown);
  if (!errno) return undefined;
  // A rename names its temporary source first; the target is what the user knows.
  const absolute = systemErrorDest(thrown) ?? systemErrorPath(thrown);
  const shown = absolute === undefined ? fallbackFile : shortPath(absolute, cwd);
  let syscall: string | undefined;
  try {
    const s = (thrown as NodeJS.ErrnoException).syscall;
    syscall = typeof s === "string" ? s : undefined;
  } catch {
    syscall = undefined;
  }
  const notAFile = errno === "EISDIR" || errno === "ENOTDIR";
  const code = notAFile ? "PATH_NOT_A_FILE" : syscall !== undefined && WRITING_CALLS.has(syscall) ? "IO_WRITE_FAILED" : "IO_READ_FAILED";
  const what = notAFile ? (errno === "EISDIR" ? "it is a folder, not a file" : "a part of the path is a file, not a folder") : osReason(thrown, errno);
  return error(code, `${syscall ? `${syscall} failed` : "cannot use the file"}: ${what}`, { file: shown, fix: FIX_BY_ERRNO[errno] ?? `the operating system refused (${errno}): fix the cause, then run again` });
}

/** `EIO: i/o error` from node's `EIO: i/o error, rename 'a' -> 'b'` (the paths are said apart). */
function osReason(thrown: unknown, errno: string): string {
  const message = describeThrown(thrown).replace(/^\w*Error: /, "");
  return message.split(", ")[0] || errno;
}

function systemErrorDest(thrown: unknown): string | undefined {
  try {
    const dest = (thrown as { dest?: unknown }).dest;
    return typeof dest === "string" ? dest : undefined;
  } catch {
    return undefined;
  }
}

function shortPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel.split("\\").join("/") : path;
}

/** The command argv names, as JSON documents call it. */
export function commandOf(argv: readonly string[]): string {
  const first = argv[0];
  if (first && !first.startsWith("-")) return first;
  return argv.includes("--check") ? "check" : argv.includes("--adopt-pins") ? "adopt-pins" : "gen";
}

export function wantsJson(argv: readonly string[]): boolean {
  return argv.some((a, i) => a === "--format=json" || (a === "--format" && argv[i + 1] === "json"));
}

/** Wraps `io` so the boundary knows whether the command already printed its JSON document. */
export function watchStdout(io: CliIo): { io: CliIo; printed: () => boolean } {
  let printed = false;
  return {
    io: {
      ...io,
      stdout: (text) => {
        printed = true;
        io.stdout(text);
      },
    },
    printed: () => printed,
  };
}

/** Reports what a command threw; returns the exit code. Never throws. */
export function reportThrown(thrown: unknown, argv: readonly string[], io: CliIo, stdoutUsed: boolean): number {
  try {
    const diagnostic = systemErrorDiagnostic(thrown, io.cwd);
    const json = wantsJson(argv) && !stdoutUsed;
    if (diagnostic) {
      if (json) io.stdout(document(argv, "environment-error", [diagnostic]));
      else io.stderr(`${formatDiagnosticText(diagnostic)}\ngen:workflows: stopped; no file was changed (a write that had begun was undone).\n`);
      return EXIT.usage;
    }
    const report = describeThrown(thrown, true);
    if (json) io.stdout(document(argv, "internal-error", [], { error: report }));
    io.stderr(`gen:workflows: internal error (this is a bug, please report it):\n${report}\n`);
    return EXIT.internal;
  } catch {
    try {
      io.stderr("gen:workflows: internal error (this is a bug, please report it): the error could not be printed\n");
    } catch {
      // stderr itself is gone: the exit code is all that is left to say it.
    }
    return EXIT.internal;
  }
}

/**
 * The registry's code is stuck in a loop (config/load-deadline.ts): this runs on the stuck thread,
 * between two of its instructions, so it reports at once and ends the process with exit 2.
 */
export function reportStuckAndExit(diagnostic: Diagnostic, io: CliIo, format: "text" | "json"): never {
  try {
    const argv = process.argv.slice(2);
    // The same document the command would have printed: a check names its (empty) drift, a staged check says so.
    const extra = commandOf(argv) === "check" ? { ...(argv.includes("--staged") ? { staged: true } : {}), drift: [] } : {};
    if (format === "json") io.stdout(document(argv, "config-error", [diagnostic], extra));
    else {
      io.stderr(`${formatDiagnosticText(diagnostic)}\ngen:workflows: stopped; nothing was written.\n`);
      if (io.env.GITHUB_ACTIONS === "true") io.stdout(formatDiagnosticAnnotation(diagnostic) + "\n");
    }
  } catch {
    // Nothing left to say it with: the exit code still does.
  }
  try {
    // What had to be said is said; with the watchdog's inspector session open, node would add
    // "Waiting for the debugger to disconnect..." on its way out.
    closeSync(2);
  } catch {
    // already closed
  }
  process.exit(EXIT.usage);
}

function document(argv: readonly string[], status: string, diagnostics: Diagnostic[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ schemaVersion: JSON_SCHEMA_VERSION, command: commandOf(argv), status, diagnostics, ...extra }, null, 2) + "\n";
}

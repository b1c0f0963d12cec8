/**
 * Runs a `run:` script the way the runner does: the script text goes to a file and the shell
 * template's `{0}` is replaced by its path. GitHub's templates differ by whether `shell:` is given:
 * unspecified is `bash -e {0}` (no pipefail, so `curl … | bash` hides a curl failure), while
 * `shell: bash` is `bash --noprofile --norc -eo pipefail {0}`.
 */
import { spawn } from "node:child_process";

export interface ShellCommand {
  file: string;
  args: string[];
}

export class UnsupportedShellError extends Error {
  override name = "UnsupportedShellError";
}

const TEMPLATES: Record<string, string> = {
  "": "bash -e {0}",
  bash: "bash --noprofile --norc -eo pipefail {0}",
  sh: "sh -e {0}",
};

export function shellCommand(shell: string | undefined, scriptPath: string): ShellCommand {
  const key = shell?.trim() ?? "";
  const template = TEMPLATES[key] ?? (key.includes("{0}") ? key : undefined);
  if (template === undefined) throw new UnsupportedShellError(`shell "${key}" is not supported (bash, sh, or a template with {0})`);
  const [file = "", ...args] = template.split(/\s+/).map((word) => word.replaceAll("{0}", scriptPath));
  return { file, args };
}

export interface ProcessResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  env: Record<string, string>;
  /** From `timeout-minutes`; the whole process group is killed when it passes. */
  timeoutMs?: number;
}

/** Never rejects: a process that cannot start is a failed step (exit 127), as on the runner. */
export function runProcess(command: ShellCommand, options: RunOptions): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    // detached: the script becomes a process-group leader, so a timeout can kill its children too.
    const child = spawn(command.file, command.args, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            try {
              if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
            } catch {
              // The group is already gone: nothing left to kill.
            }
            stderr.push(Buffer.from(`harness: step exceeded timeout-minutes and was killed\n`));
          }, options.timeoutMs);
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", (error) => {
      clearTimeout(timer);
      resolve({ exitCode: 127, stdout: "", stderr: `harness: could not start ${command.file}: ${error.message}\n` });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({
        exitCode: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
      });
    });
  });
}

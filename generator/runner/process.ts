/** Runs the CLIs the runner drives (kubectl, git, gh, docker, sentry-cli). The only module here that spawns. */
import { spawn } from "node:child_process";

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export type Run = (command: string, args: readonly string[], options?: { input?: string; env?: Record<string, string> }) => Promise<CommandResult>;

/** Never rejects: a command that cannot start is exit 127, as in a shell. */
export const run: Run = (command, args, options = {}) =>
  new Promise((resolve) => {
    const child = spawn(command, args, { env: { ...process.env, ...options.env }, stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    child.on("error", (e) => resolve({ code: 127, stdout: "", stderr: `${command}: ${e.message}\n` }));
    child.on("close", (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") }));
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.input ?? "");
  });

/** What the CLI needs from the process, injected so tests can run it in-process. */
export interface CliIo {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stdout is a terminal (colour is used only then, and never with NO_COLOR). */
  isTTY: boolean;
  /** Appends to a file (the GitHub job summary); injected so the pure code never writes. */
  appendFile?(path: string, text: string): void;
}

export const EXIT = { ok: 0, drift: 1, usage: 2, internal: 3 } as const;

export interface CommonOptions {
  config?: string | undefined;
  root?: string | undefined;
  format: "text" | "json";
}

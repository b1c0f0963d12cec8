/**
 * What a run read, so the warm check (warm-check.ts) can later tell, by hashing the same files,
 * that nothing the answer depended on has changed. io.ts and the registry loader note every file
 * and folder listing they return to the pipeline; nothing is noted unless a ledger was started.
 */
import { createHash } from "node:crypto";

export interface ReadLedger {
  /** Absolute path -> sha256 of its bytes ("bytes:…") or of its UTF-8 text ("text:…"), or null when it did not exist. */
  files: Map<string, string | null>;
  /** Absolute folder -> the names the pipeline was given (already filtered and sorted by the reader). */
  listings: Map<string, string[]>;
  /** False once something was read that the ledger cannot see again (a registry that reads the environment or a package). */
  complete: boolean;
}

let current: ReadLedger | undefined;

export function startReadLedger(): ReadLedger {
  current = { files: new Map(), listings: new Map(), complete: true };
  return current;
}

export const hashText = (text: string): string => `text:${createHash("sha256").update(text).digest("hex")}`;
export const hashBytes = (bytes: Buffer): string => `bytes:${createHash("sha256").update(bytes).digest("hex")}`;

/** Notes a file as the pipeline saw it: its text, or undefined when absent. */
export function noteText(path: string, text: string | undefined): void {
  current?.files.set(path, text === undefined ? null : hashText(text));
}

/** Notes a file by the sha256 (hex) of the bytes that were used. */
export function noteBytesHash(path: string, sha256: string): void {
  current?.files.set(path, `bytes:${sha256}`);
}

export function noteListing(dir: string, names: string[]): void {
  current?.listings.set(dir, [...names]);
}

/** The run depended on something besides the noted files: its result must not be reused. */
export function noteUnrepeatable(): void {
  if (current) current.complete = false;
}

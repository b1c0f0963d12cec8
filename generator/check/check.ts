/**
 * Expected files vs files on disk -> drift, classified so the message can say what happened:
 * stale (inputs or generator changed, not regenerated), edited by hand, both, missing, orphan
 * (carries our banner, but the registry no longer produces it), and "pins": only `uses:` refs
 * differ, as when Dependabot or Renovate bumped an action. Pure: the caller reads the disk.
 */
import { generatedFrom, isGenerated, parseBanner, sha16 } from "../render/emit.ts";
import type { GeneratedFile } from "../generate.ts";
import { pinOnlyChanges } from "./pins/pin-diff.ts";
import { DEFAULT_FIX_COMMAND, type FixCommand } from "./user-command.ts";
import { byCodeUnit } from "../sort-order.ts";

export type DriftKind = "missing" | "stale" | "edited" | "stale-and-edited" | "pins" | "orphan" | "unmanaged";

export interface Drift {
  path: string;
  kind: DriftKind;
  /** What is on disk (undefined when missing). */
  actual?: string;
  /** What the registry generates (undefined for an orphan). */
  expected?: string;
}

/**
 * CRLF checkouts (Windows, autocrlf), a byte-order mark (some Windows editors add one on save)
 * and a missing final newline are not drift. They are compared away, not rewritten: gen leaves
 * such a file as it is as long as its content is what the registry generates.
 */
export function normalizeText(text: string): string {
  const lf = text.replace(/^\uFEFF/, "").replace(/\r\n/g, "\n");
  return lf.endsWith("\n") ? lf : `${lf}\n`;
}

export function findDrift(expected: readonly GeneratedFile[], onDisk: ReadonlyMap<string, string | undefined>, otherWorkflowFiles: readonly string[]): Drift[] {
  const drifts: Drift[] = [];
  for (const file of expected) {
    const actual = onDisk.get(file.path);
    if (actual === undefined) {
      drifts.push({ path: file.path, kind: "missing", expected: file.content });
      continue;
    }
    const normalized = normalizeText(actual);
    if (normalized === file.content) continue;
    if (!isGenerated(normalized)) {
      // A file we did not write (a hand-written workflow at the same path): never overwritten silently.
      drifts.push({ path: file.path, kind: "unmanaged", actual: normalized, expected: file.content });
      continue;
    }
    const kind = classify(normalized, file.content);
    // A bot (Dependabot, Renovate) bumped action refs and nothing else: adoptable, not a hand edit.
    const pinsOnly = kind === "edited" && pinOnlyChanges(normalized, file.content) !== undefined;
    drifts.push({ path: file.path, kind: pinsOnly ? "pins" : kind, actual: normalized, expected: file.content });
  }
  const expectedPaths = new Set(expected.map((f) => f.path));
  const ownRegistries = new Set(expected.map((f) => generatedFrom(f.content)).filter((c) => c !== undefined));
  for (const path of otherWorkflowFiles) {
    const text = onDisk.get(path);
    // Only files generated from this same registry: another registry's workflows are not ours to delete.
    if (!expectedPaths.has(path) && text !== undefined && ownRegistries.has(generatedFrom(text) ?? "")) drifts.push({ path, kind: "orphan", actual: text });
  }
  return drifts.sort((a, b) => byCodeUnit(a.path, b.path));
}

function classify(actual: string, expected: string): DriftKind {
  const recorded = parseBanner(actual);
  const wanted = parseBanner(expected);
  // A mangled banner: someone rewrote the head of the file by hand.
  if (!recorded || !wanted) return "edited";
  // The banner's own lines count as the file's text: an edit there (or a registry name changed
  // on line 1) is a hand edit, though the body hash does not cover them.
  const edited = sha16(recorded.body) !== recorded.bodyHash || bannerHead(actual) !== bannerHead(expected);
  // Same inputs, untouched body, different text: the generator itself changed.
  const stale = recorded.inputsHash !== wanted.inputsHash || (!edited && recorded.body !== wanted.body);
  if (edited && stale) return "stale-and-edited";
  return edited ? "edited" : "stale";
}

/** The banner's lines before the hash line, which name the registry and say how to change the file. */
function bannerHead(text: string): string {
  // Workflows carry the banner as `#` comments, support files (runner bundle, data files) as `//`.
  const hashLine = /\n(?:#|\/\/) gen:workflows inputs=/.exec(text)?.index ?? -1;
  return hashLine === -1 ? text.slice(0, 400) : text.slice(0, hashLine);
}

/** What to tell the user to do about one kind of drift. */

export function remedy(kind: DriftKind, configFile: string, cmd: FixCommand = DEFAULT_FIX_COMMAND): string {
  switch (kind) {
    case "missing":
    case "stale":
      return `run \`${cmd.gen()}\` and commit`;
    case "edited":
      return `generated files are overwritten: move the change into ${configFile} or templates/, then run \`${cmd.gen()}\``;
    case "stale-and-edited":
      return `move the hand edit into ${configFile} or templates/, then run \`${cmd.gen()}\` and commit`;
    case "pins":
      return `only action pins differ (bot update?): run \`${cmd.gen("--adopt-pins")}\` to take them into ${configFile}, then commit`;
    case "orphan":
      return `the registry no longer produces it: run \`${cmd.gen()}\` (it deletes the file) and commit`;
    case "unmanaged":
      return `a file not generated by this tool is in the way: run \`${cmd.gen("--force")}\` to replace it (after \`import\` has taken what it holds), or change the environment's workflowFile`;
  }
}

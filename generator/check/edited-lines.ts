/** Which lines of a committed file differ from the generated one, as ranges for people to read. */
import { structuredPatch } from "diff";

export interface LineRange {
  /** 1-based, inclusive, in the committed file. */
  from: number;
  to: number;
}

/**
 * Most changed lines a line diff computes. A committed file is anyone's text: a diff of a file
 * that differs throughout costs (lines x changes), minutes for a 100,000-line file, so past this
 * many changes the range from the first to the last differing line is reported instead (linear).
 */
export const MAX_DIFF_EDITS = 2_000;

export function changedLines(committed: string, generated: string): LineRange[] {
  const patch = structuredPatch("committed", "generated", committed, generated, "", "", { context: 0, maxEditLength: MAX_DIFF_EDITS });
  if (!patch) {
    const span = differingSpan(committed, generated);
    return span ? [span] : [];
  }
  return patch.hunks.map((h) => {
    // A hunk that only adds lines (lines missing from the committed file) has oldLines 0 and
    // oldStart at the committed line they are missing before.
    const from = Math.max(1, h.oldStart);
    return { from, to: Math.max(from, h.oldStart + h.oldLines - 1) };
  });
}

export function formatRanges(ranges: readonly LineRange[], limit = 8): string {
  const shown = ranges.slice(0, limit).map((r) => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`));
  return shown.join(", ") + (ranges.length > limit ? `, … (${ranges.length - limit} more)` : "");
}

/** The committed lines between the common first and common last lines of the two texts, in one pass. */
export function differingSpan(committed: string, generated: string): LineRange | undefined {
  const a = committed.split("\n");
  const b = generated.split("\n");
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  if (head === a.length && head === b.length) return undefined;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const from = Math.min(head + 1, a.length);
  return { from, to: Math.max(from, a.length - tail) };
}

/** Which lines of a committed file differ from the generated one, as ranges for people to read. */
import { structuredPatch } from "diff";

export interface LineRange {
  /** 1-based, inclusive, in the committed file. */
  from: number;
  to: number;
}

export function changedLines(committed: string, generated: string): LineRange[] {
  const patch = structuredPatch("committed", "generated", committed, generated, "", "", { context: 0 });
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

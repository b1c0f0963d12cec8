/**
 * GitHub runs at most 256 jobs per matrix. A registry with more built services gets several build
 * jobs, each a matrix of at most 256 entries, which the deploy all needs.
 * https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/running-variations-of-jobs-in-a-workflow#using-a-matrix-strategy
 */
export const MAX_MATRIX_JOBS = 256;

export interface BuildShard<T> {
  /** 1-based. */
  index: number;
  /** `build` when there is one shard (the common case keeps its short name), else `build-<index>`. */
  jobId: string;
  items: T[];
}

/**
 * Splits items into consecutive shards of at most `size`, in declared order, of near-equal size
 * (1,000 services -> 4 x 250 rather than 3 x 256 + 232), so no shard finishes long after the rest.
 */
export function shardsOf<T>(items: readonly T[], size = MAX_MATRIX_JOBS): BuildShard<T>[] {
  if (items.length === 0) return [];
  const count = Math.ceil(items.length / size);
  const base = Math.floor(items.length / count);
  const extra = items.length % count;
  const shards: BuildShard<T>[] = [];
  let start = 0;
  for (let i = 0; i < count; i++) {
    const length = base + (i < extra ? 1 : 0);
    shards.push({ index: i + 1, jobId: count === 1 ? "build" : `build-${i + 1}`, items: items.slice(start, start + length) });
    start += length;
  }
  return shards;
}

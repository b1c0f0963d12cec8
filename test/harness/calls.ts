/**
 * Queries over recorded fake-tool calls. The timing ones are for concurrency tests: with a
 * DelayRule of 0.2 s per `kubectl rollout status`, ten waits take ~2 s in sequence, ~0.2 s in parallel.
 */
import type { ToolCall } from "./types.ts";

/** True when the two calls were running at the same moment. */
export function callsOverlap(a: ToolCall, b: ToolCall): boolean {
  return a.startedMs < b.endedMs && b.startedMs < a.endedMs;
}

/** Wall-clock time from the first call's start to the last call's end; 0 for no calls. */
export function wallClockMs(calls: readonly ToolCall[]): number {
  if (calls.length === 0) return 0;
  return Math.max(...calls.map((c) => c.endedMs)) - Math.min(...calls.map((c) => c.startedMs));
}

/** The largest number of the calls running at once. */
export function maxConcurrency(calls: readonly ToolCall[]): number {
  const events = calls.flatMap((c) => [
    { at: c.startedMs, delta: 1 },
    { at: c.endedMs, delta: -1 },
  ]);
  // At equal times, process ends first so back-to-back calls do not count as overlapping.
  events.sort((x, y) => x.at - y.at || x.delta - y.delta);
  let running = 0;
  let peak = 0;
  for (const event of events) {
    running += event.delta;
    peak = Math.max(peak, running);
  }
  return peak;
}

/** Calls to `tool` whose arguments start with the given words, e.g. ("kubectl", "rollout", "status"). */
export function callsOf(calls: readonly ToolCall[], tool: string, ...leadingArgs: string[]): ToolCall[] {
  return calls.filter((c) => c.tool === tool && leadingArgs.every((arg, i) => c.args[i] === arg));
}

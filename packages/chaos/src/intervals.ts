// Time intervals and the length of their union within a window: how much of an anomaly's life fell
// while the server was down or a provider was faulted (overlaps counted once).

export interface Interval {
  fromMs: number;
  /** Null: still open (counts up to the window's end). */
  toMs: number | null;
}

export function measureWithin(intervals: readonly Interval[], fromMs: number, toMs: number): number {
  const clipped = intervals
    .map((interval) => ({ from: Math.max(fromMs, interval.fromMs), to: Math.min(toMs, interval.toMs ?? toMs) }))
    .filter((interval) => interval.to > interval.from)
    .sort((a, b) => a.from - b.from);
  let total = 0;
  let coveredTo = Number.NEGATIVE_INFINITY;
  for (const interval of clipped) {
    const start = Math.max(interval.from, coveredTo);
    if (interval.to > start) total += interval.to - start;
    coveredTo = Math.max(coveredTo, interval.to);
  }
  return total;
}

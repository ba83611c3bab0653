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

/**
 * The times covered by every list at once (each list a union of intervals; an open one runs on):
 * when each of several replicas was down, none was up.
 */
export function intersectAll(lists: readonly (readonly Interval[])[]): Interval[] {
  if (lists.length === 0) return [];
  let common = union(lists[0]!);
  for (const list of lists.slice(1)) common = intersectTwo(common, union(list));
  return common.map((span) => ({ fromMs: span.from, toMs: span.to === Number.POSITIVE_INFINITY ? null : span.to }));
}

/** Each interval widened by `marginMs` on either side, then merged where they touch (open ones stay open). */
export function widenAndMerge(intervals: readonly Interval[], marginMs: number): Interval[] {
  const widened = intervals.map((interval) => ({ fromMs: interval.fromMs - marginMs, toMs: interval.toMs === null ? null : interval.toMs + marginMs }));
  return intersectAll([widened]);
}

interface Span {
  from: number;
  to: number;
}

function union(intervals: readonly Interval[]): Span[] {
  const sorted = intervals.map((interval) => ({ from: interval.fromMs, to: interval.toMs ?? Number.POSITIVE_INFINITY })).filter((span) => span.to > span.from).sort((a, b) => a.from - b.from);
  const merged: Span[] = [];
  for (const span of sorted) {
    const last = merged.at(-1);
    if (last !== undefined && span.from <= last.to) last.to = Math.max(last.to, span.to);
    else merged.push({ ...span });
  }
  return merged;
}

function intersectTwo(a: readonly Span[], b: readonly Span[]): Span[] {
  const out: Span[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const from = Math.max(a[i]!.from, b[j]!.from);
    const to = Math.min(a[i]!.to, b[j]!.to);
    if (to > from) out.push({ from, to });
    if (a[i]!.to < b[j]!.to) i += 1;
    else j += 1;
  }
  return out;
}

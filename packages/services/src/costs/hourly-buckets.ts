// Spreads billed intervals over UTC hour buckets in integer micro-dollars. Each bucket is the difference of
// the cumulative cost at its two edges, so the buckets always add up to exactly the rounded total: no drift.
import { costMicrosFor, MS_PER_HOUR } from '@gpu-shopper/domain';
import type { Interval } from './usage-intervals';
import { totalMs } from './usage-intervals';

export interface HourBucket {
  hourStartMs: number;
  /** Billed time that fell in this hour. */
  usedMs: number;
  costMicros: number;
}

/** Billed milliseconds per hour, hours ascending. Overlapping intervals count twice (callers pass disjoint ones). */
export function msPerHour(intervals: readonly Interval[]): Map<number, number> {
  const usedMsByHour = new Map<number, number>();
  for (const interval of intervals) {
    let cursorMs = interval.fromMs;
    while (cursorMs < interval.toMs) {
      const hourStartMs = Math.floor(cursorMs / MS_PER_HOUR) * MS_PER_HOUR;
      const pieceEndMs = Math.min(interval.toMs, hourStartMs + MS_PER_HOUR);
      usedMsByHour.set(hourStartMs, (usedMsByHour.get(hourStartMs) ?? 0) + (pieceEndMs - cursorMs));
      cursorMs = pieceEndMs;
    }
  }
  return new Map([...usedMsByHour.entries()].sort(([a], [b]) => a - b));
}

/** The cost of `intervals` at `pricePerHourUsd`, per UTC hour; the sum equals `totalCostMicros` exactly. */
export function hourlyCostMicros(intervals: readonly Interval[], pricePerHourUsd: number): HourBucket[] {
  const buckets: HourBucket[] = [];
  let cumulativeMs = 0;
  let cumulativeMicros = 0;
  for (const [hourStartMs, usedMs] of msPerHour(intervals)) {
    cumulativeMs += usedMs;
    const atEdgeMicros = costMicrosFor(pricePerHourUsd, cumulativeMs);
    buckets.push({ hourStartMs, usedMs, costMicros: atEdgeMicros - cumulativeMicros });
    cumulativeMicros = atEdgeMicros;
  }
  return buckets;
}

export function totalCostMicros(intervals: readonly Interval[], pricePerHourUsd: number): number {
  return costMicrosFor(pricePerHourUsd, totalMs(intervals));
}

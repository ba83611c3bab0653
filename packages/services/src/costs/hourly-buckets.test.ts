import { describe, expect, it } from 'vitest';
import { costMicrosFor, MS_PER_HOUR } from '@gpu-shopper/domain';
import { hourlyCostMicros, msPerHour, totalCostMicros } from './hourly-buckets';
import { createRandom } from '@gpu-shopper/simulators';

const H = Date.parse('2026-03-01T10:00:00.000Z');

describe('hourly cost buckets', () => {
  it('splits an interval crossing hour boundaries by the time spent in each hour', () => {
    const buckets = hourlyCostMicros([{ fromMs: H + 30 * 60_000, toMs: H + 2 * MS_PER_HOUR + 15 * 60_000 }], 1.2);
    expect(buckets).toEqual([
      { hourStartMs: H, usedMs: 30 * 60_000, costMicros: 600_000 },
      { hourStartMs: H + MS_PER_HOUR, usedMs: MS_PER_HOUR, costMicros: 1_200_000 },
      { hourStartMs: H + 2 * MS_PER_HOUR, usedMs: 15 * 60_000, costMicros: 300_000 },
    ]);
  });

  it('adds up several intervals in the same hour', () => {
    const used = msPerHour([
      { fromMs: H, toMs: H + 10 * 60_000 },
      { fromMs: H + 50 * 60_000, toMs: H + 70 * 60_000 },
    ]);
    expect([...used.entries()]).toEqual([
      [H, 20 * 60_000],
      [H + MS_PER_HOUR, 10 * 60_000],
    ]);
  });

  it('never drifts: buckets of awkward prices and odd milliseconds sum to the rounded total exactly', () => {
    const random = createRandom(7);
    for (let round = 0; round < 200; round++) {
      const pricePerHourUsd = Math.round(random() * 5_000_000) / 1_000_000 + 0.000001;
      const intervals = [];
      let cursor = H + Math.floor(random() * MS_PER_HOUR);
      for (let n = 0; n < 1 + Math.floor(random() * 6); n++) {
        const lengthMs = 1 + Math.floor(random() * 5 * MS_PER_HOUR);
        intervals.push({ fromMs: cursor, toMs: cursor + lengthMs });
        cursor += lengthMs + Math.floor(random() * 3 * MS_PER_HOUR);
      }
      const buckets = hourlyCostMicros(intervals, pricePerHourUsd);
      const sum = buckets.reduce((total, bucket) => total + bucket.costMicros, 0);
      expect(sum).toBe(totalCostMicros(intervals, pricePerHourUsd));
      for (const bucket of buckets) {
        expect(Number.isInteger(bucket.costMicros)).toBe(true);
        // each bucket is within a micro-dollar of its exact share
        expect(Math.abs(bucket.costMicros - (pricePerHourUsd * 1e6 * bucket.usedMs) / MS_PER_HOUR)).toBeLessThanOrEqual(1);
      }
    }
  });

  it('keeps a cheap rate from rounding every hour to zero', () => {
    // $0.0000004/h rounds to 0 in any single hour, but 10 hours make 4 micro-dollars and the buckets still say so.
    const buckets = hourlyCostMicros([{ fromMs: H, toMs: H + 10 * MS_PER_HOUR }], 0.4);
    expect(buckets.reduce((total, bucket) => total + bucket.costMicros, 0)).toBe(costMicrosFor(0.4, 10 * MS_PER_HOUR));
    const tiny = hourlyCostMicros([{ fromMs: H, toMs: H + 10 * MS_PER_HOUR }], 0.0000004);
    expect(tiny.reduce((total, bucket) => total + bucket.costMicros, 0)).toBe(4);
  });

  it('gives nothing for no time', () => {
    expect(hourlyCostMicros([], 3)).toEqual([]);
  });
});

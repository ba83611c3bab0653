import { describe, expect, it } from 'vitest';
import { reconciliationByProvider, stackCosts, windowStart } from './cost-shapes';

const bucket = (start: string, costUsd: number) => ({ start, costUsd });
const group = (key: string, buckets: { start: string; costUsd: number }[]) => ({
  key,
  totalUsd: buckets.reduce((sum, item) => sum + item.costUsd, 0),
  computeUsd: 0,
  storageUsd: 0,
  adjustmentUsd: 0,
  buckets,
});
const report = (groups: ReturnType<typeof group>[]) => {
  const starts = [...new Set(groups.flatMap((item) => item.buckets.map((b) => b.start)))].sort();
  return { consumerId: null, period: 'day' as const, from: null, to: null, totalUsd: 0, accruedAt: null, groupBy: 'provider' as const, groups, buckets: starts.map((start) => bucket(start, 0)) };
};

describe('cost shapes', () => {
  it('stacks each group per bucket, largest group first, with zeros where a group spent nothing', () => {
    const { series, rows } = stackCosts(
      report([group('vastai', [bucket('2026-03-01T00:00:00.000Z', 0.1), bucket('2026-03-02T00:00:00.000Z', 0.2)]), group('tensordock', [bucket('2026-03-02T00:00:00.000Z', 1.05)])]),
      (key) => key.toUpperCase(),
    );
    expect(series).toEqual([
      { id: 's0', label: 'TENSORDOCK', totalUsd: 1.05 },
      { id: 's1', label: 'VASTAI', totalUsd: expect.closeTo(0.3, 9) },
    ]);
    expect(rows).toEqual([
      { start: '2026-03-01T00:00:00.000Z', totalUsd: 0.1, values: { s0: 0, s1: 0.1 } },
      { start: '2026-03-02T00:00:00.000Z', totalUsd: 1.25, values: { s0: 1.05, s1: 0.2 } },
    ]);
  });

  it('folds the smallest groups into one "Other" stack past the limit', () => {
    const groups = ['a', 'b', 'c', 'd'].map((key, index) => group(key, [bucket('2026-03-01T00:00:00.000Z', 4 - index)]));
    const { series, rows } = stackCosts(report(groups), (key) => key, 3);
    expect(series.map((item) => [item.label, item.totalUsd])).toEqual([
      ['a', 4],
      ['b', 3],
      ['Other (2)', 3],
    ]);
    expect(rows).toEqual([{ start: '2026-03-01T00:00:00.000Z', totalUsd: 10, values: { s0: 4, s1: 3, other: 3 } }]);
  });

  it('gives no stacks for a report without groups', () => {
    expect(stackCosts(report([]), (key) => key)).toEqual({ series: [], rows: [] });
  });

  it('sums reconciliation per provider, to the micro-dollar', () => {
    const result = (provider: 'vastai' | 'tensordock', ledgerUsd: number, providerUsd: number, drift: boolean) => ({
      sessionId: 'ses',
      consumerId: 'con',
      provider,
      from: '2026-03-01T00:00:00.000Z',
      to: '2026-03-01T01:00:00.000Z',
      ledgerUsd,
      providerUsd,
      adjustmentUsd: 0,
      differenceRatio: null,
      drift,
      checkedAt: '2026-03-01T01:00:00.000Z',
    });
    expect(reconciliationByProvider([result('vastai', 0.1, 0.2, true), result('vastai', 0.2, 0.1, true), result('tensordock', 1, 0, false)])).toEqual([
      { provider: 'tensordock', sessions: 1, ledgerUsd: 1, providerUsd: 0, differenceUsd: 1, differenceRatio: null, drifting: 0 },
      { provider: 'vastai', sessions: 2, ledgerUsd: 0.3, providerUsd: 0.3, differenceUsd: 0, differenceRatio: 0, drifting: 2 },
    ]);
  });

  it('starts the window at a bucket boundary: 48 hours, 30 days or 12 months back', () => {
    const now = Date.parse('2026-03-14T10:25:00Z');
    expect(windowStart('hour', now)).toBe('2026-03-12T11:00:00.000Z');
    expect(windowStart('day', now)).toBe('2026-02-13T00:00:00.000Z');
    expect(windowStart('month', now)).toBe('2025-04-01T00:00:00.000Z');
    expect(windowStart('hour', now + 30 * 60_000)).toBe(windowStart('hour', now));
  });
});

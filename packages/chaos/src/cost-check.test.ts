import { describe, expect, it } from 'vitest';
import { compareCosts, type BillingRow } from './cost-check';

const row = (sessionId: string | null, totalUsd: number, instanceId = sessionId ?? 'x', deployment = 'd1'): BillingRow => ({
  provider: 'vastai',
  instanceId,
  label: sessionId === null ? null : `gpu-shopper:${deployment}:${sessionId}`,
  totalUsd,
});

describe('compareCosts', () => {
  it('sums every instance a session had, and gives max, median and total error', () => {
    const ours = new Map([
      ['s1', 0.1],
      ['s2', 0.0202],
      ['s3', 0.05],
    ]);
    const figures = compareCosts(ours, [row('s1', 0.06, 'a'), row('s1', 0.04, 'b'), row('s2', 0.02), row('s3', 0.0505)], { deploymentId: 'd1' });
    expect(figures.sessions.find((session) => session.sessionId === 's1')).toMatchObject({ billedUsd: 0.1, instances: 2, relativeError: 0 });
    expect(figures.maxRelativeError).toBeCloseTo(0.01, 10);
    expect(figures.medianRelativeError).toBeCloseTo(0.0099, 4);
    expect(figures.compared).toBe(3);
    expect(figures.totalRelativeError).toBeCloseTo(Math.abs(0.1702 - 0.1705) / 0.1705, 10);
  });

  it('skips sessions billed under the floor, and reports billing nobody accounts for', () => {
    const ours = new Map<string, number | null>([
      ['s1', 0.0003],
      ['s2', 0.01],
      ['s3', null],
    ]);
    const figures = compareCosts(ours, [row('s1', 0.0001), row('s2', 0.01), row(null, 0.2, 'stray'), row('other', 0.3, 'o', 'd2'), row('s3', 0.01)], { deploymentId: 'd1' });
    expect(figures).toMatchObject({ compared: 1, skipped: 1, maxRelativeError: 0, unpriced: ['s3'] });
    expect(figures.unattributedBilledUsd).toBeCloseTo(0.5, 10);
    expect(figures.unattributedInstances).toEqual(['vastai:stray', 'vastai:o (gpu-shopper:d2:other)']);
    // The unpriced session's bill counts against the total: the server gave no account of it.
    expect(figures.billedTotalUsd).toBeCloseTo(0.0201, 10);
  });

  it('totals each provider apart, leaving out a session billed by both', () => {
    const ours = new Map([
      ['v1', 0.1],
      ['t1', 0.12],
      ['both', 0.05],
    ]);
    const td = (sessionId: string, totalUsd: number, instanceId: string): BillingRow => ({ ...row(sessionId, totalUsd, instanceId), provider: 'tensordock' });
    const figures = compareCosts(ours, [row('v1', 0.1, 'a'), td('t1', 0.1, 'b'), row('both', 0.02, 'c'), td('both', 0.03, 'd')], { deploymentId: 'd1' });
    expect(figures.byProvider.vastai).toMatchObject({ sessions: 1, oursUsd: 0.1, billedUsd: 0.1, relativeError: 0 });
    expect(figures.byProvider.tensordock).toMatchObject({ sessions: 1, oursUsd: 0.12, billedUsd: 0.1 });
    expect(figures.byProvider.tensordock!.relativeError).toBeCloseTo(0.2, 10);
  });

  it('has no error to report when nothing was billed', () => {
    expect(compareCosts(new Map(), [], { deploymentId: null })).toMatchObject({ maxRelativeError: null, medianRelativeError: null, totalRelativeError: null });
  });
});

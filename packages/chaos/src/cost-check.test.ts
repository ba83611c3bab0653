import { describe, expect, it } from 'vitest';
import { compareCosts, OBSERVED_ONLY_PROVIDERS, type BillingRow, type OutageAllowanceOptions } from './cost-check';

const row = (sessionId: string | null, totalUsd: number, instanceId = sessionId ?? 'x', deployment = 'd1'): BillingRow => ({
  provider: 'vastai',
  instanceId,
  label: sessionId === null ? null : `gpu-shopper:${deployment}:${sessionId}`,
  totalUsd,
  computeEndedAtMs: null,
  computePerHourUsd: 1,
  storagePerHourUsd: 0,
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

describe('the outage allowance', () => {
  // $3.60/h is $0.001/s. No server was up from 100 s to 110 s; with a 1 s tick the blind window is
  // 99-111 s, so an end inside it may be off by 12 s / 2 x $0.001/s = $0.006.
  const td = (sessionId: string, endedAtMs: number | null, provider = 'tensordock'): BillingRow => ({ provider, instanceId: `i-${sessionId}`, label: `gpu-shopper:d1:${sessionId}`, totalUsd: 0.1, computeEndedAtMs: endedAtMs, computePerHourUsd: 3.6, storagePerHourUsd: 0 });
  const outages = (strict = false): OutageAllowanceOptions => ({ noServerUp: [{ fromMs: 100_000, toMs: 110_000 }], tickMs: 1_000, observedProviders: OBSERVED_ONLY_PROVIDERS, strict });
  const compare = (oursUsd: number, billing: BillingRow, strict = false) => compareCosts(new Map([[billing.label!.split(':')[2]!, oursUsd]]), [billing], { deploymentId: 'd1', outages: outages(strict) });

  it('passes a session whose instance ended in an outage, off by more than 1% but within half the blind window', () => {
    const figures = compare(0.105, td('s1', 105_000));
    const [session] = figures.sessions;
    expect(session!.relativeError).toBeCloseTo(0.05, 10);
    expect(session!.outageBoundUsd).toBeCloseTo(0.006, 10);
    expect(session!.unseenEnds).toEqual([{ provider: 'tensordock', instanceId: 'i-s1', computeEndedAtMs: 105_000, blindFromMs: 99_000, blindToMs: 111_000, boundUsd: session!.outageBoundUsd }]);
    expect(session).toMatchObject({ withinOutageBound: true, withinGoal: true });
    expect(figures).toMatchObject({ outageAllowance: true, sessionsOverGoal: [], unseenEnds: { sessions: 1, allWithinBound: true, othersMaxRelativeError: null } });
    // A tick past the restart the server may not have looked yet: still unseen.
    expect(compare(0.105, td('s1', 110_900)).sessionsOverGoal).toEqual([]);
  });

  it('fails one off by more than its bound', () => {
    const figures = compare(0.107, td('s1', 105_000));
    expect(figures.sessions[0]).toMatchObject({ withinOutageBound: false, withinGoal: false });
    expect(figures).toMatchObject({ sessionsOverGoal: ['s1'], unseenEnds: { sessions: 1, allWithinBound: false } });
  });

  it('holds an instance that ended while the server was up (or a Vast.ai one, trued up to its charges) to 1%', () => {
    for (const billing of [td('s1', 50_000), td('s1', 112_000), td('s1', null), td('s1', 105_000, 'vastai')]) {
      const figures = compare(0.105, billing);
      expect(figures.sessions[0]).toMatchObject({ unseenEnds: [], outageBoundUsd: 0, withinGoal: false });
      expect(figures.unseenEnds).toEqual({ sessions: 0, allWithinBound: true, othersMaxRelativeError: expect.closeTo(0.05, 10) });
      expect(compare(0.1009, billing).sessionsOverGoal).toEqual([]);
    }
  });

  it('gives no allowance under --strict, still reporting the unseen end', () => {
    const figures = compare(0.105, td('s1', 105_000), true);
    expect(figures.sessions[0]).toMatchObject({ withinOutageBound: true, withinGoal: false });
    expect(figures).toMatchObject({ outageAllowance: false, sessionsOverGoal: ['s1'], unseenEnds: { sessions: 1, allWithinBound: true } });
  });

  it('widens and merges outages a tick apart, and reports the others apart from the unseen', () => {
    const billing = [td('s1', 105_000), { ...td('s2', 50_000), instanceId: 'i-s2' }];
    const figures = compareCosts(
      new Map([
        ['s1', 0.104],
        ['s2', 0.1005],
      ]),
      billing,
      { deploymentId: 'd1', outages: { ...outages(), noServerUp: [{ fromMs: 100_000, toMs: 104_000 }, { fromMs: 105_500, toMs: 110_000 }] } },
    );
    expect(figures.sessions.find((session) => session.sessionId === 's1')!.unseenEnds[0]).toMatchObject({ blindFromMs: 99_000, blindToMs: 111_000 });
    expect(figures.unseenEnds.sessions).toBe(1);
    expect(figures.unseenEnds.othersMaxRelativeError).toBeCloseTo(0.005, 10);
    expect(figures.maxRelativeError).toBeCloseTo(0.04, 10);
    expect(figures.sessionsOverGoal).toEqual([]);
  });
});

describe('the bill\'s resolution', () => {
  // $3.60/h of compute and $0.36/h of storage bill $0.001 and $0.0001 a whole second: a meter a few
  // milliseconds off can move the bill by that much, which on $0.05 (50 s) is over 2%.
  const short = (sessionId: string): BillingRow => ({ provider: 'tensordock', instanceId: `i-${sessionId}`, label: `gpu-shopper:d1:${sessionId}`, totalUsd: 0.05, computeEndedAtMs: 50_000, computePerHourUsd: 3.6, storagePerHourUsd: 0.36 });
  const compare = (oursUsd: number, strict = false) =>
    compareCosts(new Map([['s1', oursUsd]]), [short('s1')], { deploymentId: 'd1', outages: { noServerUp: [], tickMs: 1_000, observedProviders: OBSERVED_ONLY_PROVIDERS, strict } });

  it('passes a session off by more than 1% but by no more than one billed second of each meter, and counts it', () => {
    const figures = compare(0.0511);
    expect(figures.sessions[0]!.relativeError).toBeCloseTo(0.022, 10);
    expect(figures.sessions[0]!).toMatchObject({ withinResolution: true, withinGoal: true });
    expect(figures.sessions[0]!.resolutionUsd).toBeCloseTo(0.0011, 10);
    expect(figures.withinResolution).toBe(1);
    expect(figures.sessionsOverGoal).toEqual([]);
  });

  it('fails a session off by more than that', () => {
    const figures = compare(0.0512);
    expect(figures.sessions[0]!).toMatchObject({ withinResolution: false, withinGoal: false });
    expect(figures.sessionsOverGoal).toEqual(['s1']);
  });

  it('excuses nothing under --strict', () => {
    const figures = compare(0.0511, true);
    expect(figures.sessions[0]!).toMatchObject({ withinResolution: true, withinGoal: false });
    expect(figures.sessionsOverGoal).toEqual(['s1']);
  });

  it('does not count a session within 1% as within the resolution', () => {
    expect(compare(0.0502).withinResolution).toBe(0);
  });
});


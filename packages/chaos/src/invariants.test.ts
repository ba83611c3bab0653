import { describe, expect, it } from 'vitest';
import { findMismatches, InvariantTracker, type InstanceView, type LiveSessionView } from './invariants';
import type { Interval } from './intervals';
import { measureWithin } from './intervals';

const label = (sessionId: string) => `gpu-shopper:d1:${sessionId}`;
const session = (id: string, instanceId: string | null, state = 'ready', provider = 'vastai'): LiveSessionView => ({ id, state, provider, providerInstanceId: instanceId });
const instance = (id: string, sessionId: string, phase = 'running', provider = 'vastai'): InstanceView => ({ provider, id, phase, label: label(sessionId) });

function tracker(graceMs: number, downtime: Interval[] = [], blind: Interval[] = []) {
  return new InvariantTracker(graceMs, { global: () => downtime, provider: () => blind });
}

describe('findMismatches', () => {
  it('finds nothing when every live instance has its live session', () => {
    expect(findMismatches([session('s1', '1'), session('s2', null, 'provisioning')], [instance('1', 's1'), instance('0', 'old', 'destroyed')]).size).toBe(0);
  });

  it('calls an instance without a live owner an orphan, by provider and id', () => {
    const found = findMismatches([session('s1', '1', 'terminated'), session('s2', '2', 'ready', 'tensordock')], [instance('1', 's1', 'exiting'), instance('2', 's2', 'running', 'vastai'), instance('2', 's2', 'running', 'tensordock')]);
    expect([...found.values()].map((mismatch) => [mismatch.kind, mismatch.provider, mismatch.instanceId, mismatch.sessionId])).toEqual([
      ['orphan', 'vastai', '1', 's1'],
      ['orphan', 'vastai', '2', 's2'],
    ]);
  });

  it('calls a live session whose instance is gone or vanished a ghost', () => {
    const found = findMismatches([session('s1', '1', 'stopping'), session('s2', '2'), session('s3', '3')], [instance('1', 's1', 'destroyed'), instance('2', 's2', 'vanished')]);
    expect([...found.values()].map((mismatch) => [mismatch.kind, mismatch.sessionId, mismatch.detail])).toEqual([
      ['ghost', 's1', 'stopping'],
      ['ghost', 's2', 'ready'],
      ['ghost', 's3', 'ready'],
    ]);
  });
});

describe('InvariantTracker', () => {
  it('does not count a mismatch that clears within the grace, and says how long it lasted', () => {
    const t = tracker(3_000);
    t.observe(1_000, [], [instance('1', 's1')]);
    t.observe(3_500, [session('s1', '1')], [instance('1', 's1')]);
    const summary = t.summary(4_000);
    expect(summary).toMatchObject({ orphans: 0, ghosts: 0, seen: 1, lastToClearMs: 2_500, longestMs: 2_500, samples: 2 });
  });

  it('counts one that outlives the grace once, even after it clears', () => {
    const t = tracker(3_000);
    for (const at of [0, 1_000, 2_000, 3_000, 4_000]) t.observe(at, [session('s1', '1')], []);
    t.observe(5_000, [], []);
    expect(t.summary(6_000)).toMatchObject({ orphans: 0, ghosts: 1, lastToClearMs: 5_000 });
  });

  it('excuses server downtime and provider blindness, counting overlaps once', () => {
    const t = tracker(3_000, [{ fromMs: 1_000, toMs: 6_000 }], [{ fromMs: 5_000, toMs: 9_000 }]);
    t.observe(0, [], [instance('1', 's1')]);
    t.observe(10_000, [], [instance('1', 's1')]);
    // 10 s seen, 8 s excused (1-9 s): 2 s chargeable, within the grace.
    expect(t.summary(10_000).counted).toEqual([expect.objectContaining({ kind: 'orphan', chargeableMs: 2_000, clearedMs: null })]);
    t.observe(11_000, [], []);
    // Strictly (server downtime only excused: 1-6 s) it had 6 s chargeable: past the grace.
    expect(t.summary(11_000)).toMatchObject({ orphans: 0, strictOrphans: 1, seen: 1 });
    t.observe(12_000, [], [instance('2', 's2')]);
    t.observe(16_000, [], [instance('2', 's2')]);
    t.observe(17_000, [], []);
    expect(t.summary(17_000)).toMatchObject({ orphans: 1 });
  });

  it('counts whatever is still open at the end, whatever its age', () => {
    const t = tracker(60_000);
    t.observe(0, [session('s1', '1')], []);
    expect(t.summary(100)).toMatchObject({ ghosts: 1, openAtEnd: 1 });
  });
});

describe('measureWithin', () => {
  it('measures the union of intervals inside a window, open ones up to its end', () => {
    expect(measureWithin([{ fromMs: 0, toMs: 5 }, { fromMs: 3, toMs: 8 }, { fromMs: 20, toMs: null }], 2, 25)).toBe(6 + 5);
    expect(measureWithin([], 0, 10)).toBe(0);
  });
});

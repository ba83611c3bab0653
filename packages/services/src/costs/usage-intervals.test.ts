import { describe, expect, it } from 'vitest';
import { meteredIntervals, meterIntervals, totalMs, type UsageMark } from './usage-intervals';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const min = (minutes: number) => T0 + minutes * 60_000;
const mark = (kind: UsageMark['kind'], minutes: number): UsageMark => ({ kind, atMs: min(minutes) });

describe('meterIntervals', () => {
  it('bills storage from creation and compute only from running, until destroyed', () => {
    const result = meterIntervals([mark('storage_started', 0), mark('compute_started', 5), mark('compute_stopped', 65), mark('storage_stopped', 66)], min(120));
    expect(result.compute).toEqual([{ fromMs: min(5), toMs: min(65) }]);
    expect(result.storage).toEqual([{ fromMs: min(0), toMs: min(66) }]);
    expect(result).toMatchObject({ computeOpen: false, storageOpen: false });
  });

  it('runs open meters until now and ignores marks after now', () => {
    const result = meterIntervals([mark('storage_started', 0), mark('compute_started', 1), mark('compute_stopped', 90)], min(30));
    expect(result.compute).toEqual([{ fromMs: min(1), toMs: min(30) }]);
    expect(result.storage).toEqual([{ fromMs: min(0), toMs: min(30) }]);
    expect(result).toMatchObject({ computeOpen: true, storageOpen: true });
  });

  it('keeps storage running through a stop with a preserved disk, and bills compute again after a start', () => {
    const result = meterIntervals(
      [mark('storage_started', 0), mark('compute_started', 2), mark('compute_stopped', 62), mark('compute_started', 180), mark('compute_stopped', 200), mark('storage_stopped', 240)],
      min(300),
    );
    expect(result.compute).toEqual([
      { fromMs: min(2), toMs: min(62) },
      { fromMs: min(180), toMs: min(200) },
    ]);
    expect(result.storage).toEqual([{ fromMs: min(0), toMs: min(240) }]);
  });

  it('tolerates repeated and unmatched observations', () => {
    const result = meterIntervals(
      [mark('compute_stopped', 0), mark('compute_started', 1), mark('compute_started', 10), mark('storage_started', 11), mark('storage_stopped', 20), mark('compute_stopped', 21)],
      min(60),
    );
    // compute implies storage; storage stopping closes compute; the late stop and the repeated start change nothing.
    expect(result.compute).toEqual([{ fromMs: min(1), toMs: min(20) }]);
    expect(result.storage).toEqual([{ fromMs: min(1), toMs: min(20) }]);
  });

  it('drops empty intervals', () => {
    expect(meterIntervals([mark('storage_started', 5), mark('storage_stopped', 5)], min(10)).storage).toEqual([]);
    expect(meterIntervals([], min(10))).toEqual({ compute: [], storage: [], computeOpen: false, storageOpen: false });
  });
});

describe('meteredIntervals', () => {
  it('bills whole ticks per interval, dropping what is shorter than a tick', () => {
    const metered = meteredIntervals(
      [
        { fromMs: 0, toMs: 2_999 },
        { fromMs: 10_000, toMs: 10_500 },
      ],
      1_000,
    );
    expect(metered).toEqual([{ fromMs: 0, toMs: 2_000 }]);
    expect(totalMs(metered)).toBe(2_000);
    expect(meteredIntervals([{ fromMs: 0, toMs: 7 }], 1)).toEqual([{ fromMs: 0, toMs: 7 }]);
  });
});

import { describe, expect, it } from 'vitest';
import { intersectAll, measureWithin, widenAndMerge } from './intervals';

describe('intersectAll', () => {
  it('keeps the times every list covers, open intervals running on', () => {
    const a = [{ fromMs: 0, toMs: 10 }, { fromMs: 20, toMs: null }];
    const b = [{ fromMs: 5, toMs: 25 }];
    const c = [{ fromMs: 0, toMs: 7 }, { fromMs: 22, toMs: 30 }];
    expect(intersectAll([a, b, c])).toEqual([
      { fromMs: 5, toMs: 7 },
      { fromMs: 22, toMs: 25 },
    ]);
    expect(intersectAll([a, [{ fromMs: 30, toMs: null }]])).toEqual([{ fromMs: 30, toMs: null }]);
  });

  it('is the list itself for one list (one replica: its own downtimes), merged', () => {
    expect(intersectAll([[{ fromMs: 0, toMs: 5 }, { fromMs: 3, toMs: 8 }, { fromMs: 10, toMs: 12 }]])).toEqual([
      { fromMs: 0, toMs: 8 },
      { fromMs: 10, toMs: 12 },
    ]);
  });

  it('is empty when the replicas were never down together', () => {
    const windows = intersectAll([[{ fromMs: 0, toMs: 5 }], [{ fromMs: 5, toMs: 9 }], []]);
    expect(windows).toEqual([]);
    expect(measureWithin(windows, 0, 100)).toBe(0);
  });
});

describe('widenAndMerge', () => {
  it('widens each interval on both sides and merges those that then meet', () => {
    expect(widenAndMerge([{ fromMs: 10, toMs: 20 }, { fromMs: 23, toMs: 30 }, { fromMs: 50, toMs: null }], 2)).toEqual([
      { fromMs: 8, toMs: 32 },
      { fromMs: 48, toMs: null },
    ]);
  });
});

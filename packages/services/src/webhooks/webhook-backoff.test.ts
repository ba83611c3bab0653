import { describe, expect, it } from 'vitest';
import { MS_PER_HOUR, MS_PER_SECOND } from '@gpu-shopper/domain';
import { retryDelayCeilingMs, retryDelayMs } from './webhook-backoff';

describe('webhook retry back-off', () => {
  it('doubles from 10 s and caps at an hour', () => {
    expect([1, 2, 3, 4].map(retryDelayCeilingMs)).toEqual([10, 20, 40, 80].map((s) => s * MS_PER_SECOND));
    expect(retryDelayCeilingMs(30)).toBe(MS_PER_HOUR);
    expect(retryDelayCeilingMs(10_000)).toBe(MS_PER_HOUR);
  });

  it('jitters between half and all of the ceiling', () => {
    expect(retryDelayMs(3, () => 0)).toBe(20 * MS_PER_SECOND);
    expect(retryDelayMs(3, () => 0.999_999)).toBeLessThanOrEqual(40 * MS_PER_SECOND);
    expect(retryDelayMs(3, () => 0.5)).toBe(30 * MS_PER_SECOND);
  });
});

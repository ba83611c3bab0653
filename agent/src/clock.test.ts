import { describe, expect, it } from 'vitest';
import { ManualClock, processStartedAt } from './clock';

describe('processStartedAt', () => {
  it('is this process’s start on the given clock: before now by the process’s uptime', () => {
    const clock = new ManualClock('2030-01-01T00:00:00.000Z');
    const before = process.uptime();
    const startedAt = processStartedAt(clock).getTime();
    const after = process.uptime();
    expect(startedAt).toBeLessThanOrEqual(clock.now().getTime() - Math.floor(before * 1000));
    expect(startedAt).toBeGreaterThanOrEqual(clock.now().getTime() - Math.ceil(after * 1000) - 1);
    expect(before).toBeGreaterThan(0);
  });
});

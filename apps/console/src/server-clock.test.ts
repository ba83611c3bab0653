import { describe, expect, it } from 'vitest';
import { ServerClock } from './server-clock';

describe('server clock', () => {
  it('follows the server by the offset last observed, and ignores what it cannot read', () => {
    const clock = new ServerClock();
    expect(clock.now(1_000)).toBe(1_000);
    clock.observe('2026-03-01T12:00:00.000Z', Date.parse('2026-03-01T10:00:00.000Z'));
    expect(new Date(clock.now(Date.parse('2026-03-01T10:00:05.000Z'))).toISOString()).toBe('2026-03-01T12:00:05.000Z');
    clock.observe(null);
    clock.observe('not a date');
    expect(new Date(clock.now(Date.parse('2026-03-01T10:00:05.000Z'))).toISOString()).toBe('2026-03-01T12:00:05.000Z');
  });
});

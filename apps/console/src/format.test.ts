import { describe, expect, it } from 'vitest';
import { formatAgo, formatBucket, formatDateTime, formatDuration, formatTimeLeft, formatUsd, formatUsdPerHour, shortId } from './format';

describe('console formats', () => {
  it('writes dollars with cents, and small amounts with up to four decimals', () => {
    expect(formatUsd(1234.5)).toBe('$1,234.50');
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatUsd(0.35)).toBe('$0.35');
    expect(formatUsd(0.00421)).toBe('$0.0042');
    expect(formatUsd(-0.5)).toBe('-$0.50');
    expect(formatUsdPerHour(0.4)).toBe('$0.4000/h');
    expect(formatUsdPerHour(0.36625)).toBe('$0.3663/h');
    expect(formatUsdPerHour(2.1)).toBe('$2.10/h');
    expect(formatUsdPerHour(null)).toBe('—');
  });

  it('writes durations in their two largest units', () => {
    expect(formatDuration(40_500)).toBe('40 s');
    expect(formatDuration(12 * 60_000 + 5_000)).toBe('12 min');
    expect(formatDuration((2 * 60 + 5) * 60_000)).toBe('2 h 05 min');
    expect(formatDuration(50 * 3_600_000)).toBe('2 d 2 h');
  });

  it('counts time left down to the end, then how far past it', () => {
    const endsAt = '2026-03-01T12:00:00.000Z';
    expect(formatTimeLeft(endsAt, Date.parse('2026-03-01T10:30:00Z'))).toBe('1 h 30 min');
    expect(formatTimeLeft(endsAt, Date.parse('2026-03-01T12:05:00Z'))).toBe('over by 5 min');
  });

  it('says how long ago, "just now" for an instant a little ahead, and "never" for none', () => {
    const now = Date.parse('2026-03-01T12:00:00Z');
    expect(formatAgo('2026-03-01T11:59:48Z', now)).toBe('12 s ago');
    expect(formatAgo('2026-03-01T12:00:01Z', now)).toBe('just now');
    expect(formatAgo(null, now)).toBe('never');
  });

  it('writes instants and cost buckets in UTC', () => {
    expect(formatDateTime('2026-03-14T10:05:00Z')).toBe('14 Mar 2026, 10:05 UTC');
    expect(formatDateTime(null)).toBe('—');
    expect(formatBucket('2026-03-14T10:00:00Z', 'hour')).toBe('14 Mar, 10:00');
    expect(formatBucket('2026-03-14T00:00:00Z', 'day')).toBe('14 Mar');
    expect(formatBucket('2026-03-01T00:00:00Z', 'month')).toBe('Mar 2026');
  });

  it('shortens long ids only', () => {
    expect(shortId('ses_0123456789abcdef')).toBe('ses_01234567…');
    expect(shortId('ses_short')).toBe('ses_short');
  });
});

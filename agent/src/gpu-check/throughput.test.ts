import { describe, expect, it } from 'vitest';
import { decodeTokensPerSecond, formatRate, formatSeconds, megabytesPerSecond } from './throughput';

describe('throughput', () => {
  it('MB/s in 10^6 bytes per second', () => {
    expect(megabytesPerSecond(1024 ** 3, 1000)).toBeCloseTo(1073.741824);
    expect(megabytesPerSecond(500_000_000, 2000)).toBe(250);
    // A transfer timed at 0 ms is not infinitely fast.
    expect(megabytesPerSecond(1_000_000, 0)).toBe(1000);
    expect(() => megabytesPerSecond(-1, 10)).toThrow(/non-negative/);
  });

  it('decode tokens/s leaves the first token (prefill) out', () => {
    expect(decodeTokensPerSecond({ tokens: 101, firstTokenAtMs: 500, lastTokenAtMs: 1500 })).toBe(100);
    expect(decodeTokensPerSecond({ tokens: 1, firstTokenAtMs: 500, lastTokenAtMs: 500 })).toBeNull();
    expect(decodeTokensPerSecond({ tokens: 40, firstTokenAtMs: 500, lastTokenAtMs: 500 })).toBeNull();
  });

  it('formats rates and durations for the table', () => {
    expect(formatRate(812.4)).toBe('812');
    expect(formatRate(8.44)).toBe('8.4');
    expect(formatRate(0.853)).toBe('0.85');
    expect(formatSeconds(9400)).toBe('9.4 s');
    expect(formatSeconds(95_400)).toBe('95 s');
  });
});

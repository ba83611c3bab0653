// The resilience pieces on their own: back-off bounds, the token bucket, key redaction.
import { describe, expect, it } from 'vitest';
import { redactSecrets } from './redact';
import { RequestBudget } from './request-budget';
import { RetryPolicy } from './retry-policy';

describe('RetryPolicy', () => {
  it('backs off exponentially with full jitter, capped, honouring Retry-After as a floor', () => {
    const top = new RetryPolicy({ baseDelayMs: 100, maxDelayMs: 1000, random: () => 0.999999 });
    expect([0, 1, 2, 3, 4].map((n) => top.delayMs(n))).toEqual([100, 200, 400, 800, 1000]);
    const bottom = new RetryPolicy({ baseDelayMs: 100, random: () => 0 });
    expect(bottom.delayMs(3)).toBe(0);
    expect(bottom.delayMs(0, 500)).toBe(500);
    expect(RetryPolicy.none().canRetry(1)).toBe(false);
  });
});

describe('RequestBudget', () => {
  it('lets a burst through, then waits for refill (never more than burst + perMinute in a minute)', async () => {
    let nowMs = 0;
    const slept: number[] = [];
    const budget = new RequestBudget({ burst: 2, perMinute: 60, nowMs: () => nowMs, sleep: async (ms) => void (slept.push(ms), (nowMs += ms)) });
    await budget.take();
    await budget.take();
    expect(slept).toEqual([]);
    await budget.take();
    expect(slept).toEqual([1000]);
    nowMs += 60_000;
    expect(budget.available()).toBe(2);
  });
});

describe('redactSecrets', () => {
  it('removes keys, URL-encoded keys and bearer tokens', () => {
    expect(redactSecrets('key=abc/def+123 and abc%2Fdef%2B123 Bearer xyz', ['abc/def+123'])).toBe('key=*** and *** Bearer ***');
  });
});

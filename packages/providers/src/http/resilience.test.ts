// The resilience pieces on their own: back-off bounds, the token bucket, key redaction.
import { describe, expect, it } from 'vitest';
import { ProviderHttp } from './provider-http';
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

describe('RequestBudget.pauseFor', () => {
  it('holds every request for the time the provider asked (Retry-After, an empty rate window); unlimited budgets ignore it', async () => {
    let nowMs = 0;
    const slept: number[] = [];
    const budget = new RequestBudget({ burst: 5, perMinute: 60, nowMs: () => nowMs, sleep: async (ms) => void (slept.push(ms), (nowMs += ms)) });
    budget.pauseFor(30_000);
    await budget.take();
    expect(slept).toEqual([30_000]);
    const unlimited = RequestBudget.unlimited();
    unlimited.pauseFor(60_000);
    await unlimited.take();
  });
});

describe('ProviderHttp and the provider\'s rate-limit headers', () => {
  /** The pause one answer with `headers` puts on the budget (0: none), read from the next take's sleep. */
  const pauseAfter = async (status: number, headers: Record<string, string>): Promise<number> => {
    let nowMs = 0;
    const slept: number[] = [];
    const budget = new RequestBudget({ burst: 100, perMinute: 100, nowMs: () => nowMs, sleep: async (ms) => void (slept.push(ms), (nowMs += ms)) });
    const fetch = (async () => new Response('{}', { status, headers: { 'content-type': 'application/json', ...headers } })) as typeof globalThis.fetch;
    const http = new ProviderHttp({ provider: 'tensordock', baseUrl: 'http://127.0.0.1:9', apiKey: 'k', fetch, budget, retry: new RetryPolicy({ maxAttempts: 1 }) });
    await http.send({ method: 'GET', path: '/x', retryMode: 'idempotent', operation: 'probe' }).catch(() => undefined);
    await budget.take();
    return slept.reduce((total, ms) => total + ms, 0);
  };

  it('waits out an empty window for the seconds the provider says, and a 429 for its Retry-After', async () => {
    expect(await pauseAfter(200, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '12' })).toBe(12_000);
    expect(await pauseAfter(200, { 'x-ratelimit-remaining': '7', 'x-ratelimit-reset': '12' })).toBe(0);
    expect(await pauseAfter(429, { 'retry-after': '3' })).toBe(3_000);
  });

  it('tells the observer an attempt is about to leave only once the budget let it go', async () => {
    let nowMs = 0;
    const budget = new RequestBudget({ burst: 1, perMinute: 60, nowMs: () => nowMs, sleep: async (ms) => void (nowMs += ms) });
    const fetch = (async () => new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } })) as typeof globalThis.fetch;
    const http = new ProviderHttp({ provider: 'tensordock', baseUrl: 'http://127.0.0.1:9', apiKey: 'k', fetch, budget, retry: new RetryPolicy({ maxAttempts: 1 }) });
    const leftAt: number[] = [];
    const observer = { beforeSend: async () => void leftAt.push(nowMs), sent: () => undefined, refused: () => undefined, confirmed: () => undefined, alreadyGone: () => undefined };
    await http.send({ method: 'DELETE', path: '/a', retryMode: 'idempotent', operation: 'delete', observer });
    await http.send({ method: 'DELETE', path: '/b', retryMode: 'idempotent', operation: 'delete', observer });
    expect(leftAt).toEqual([0, 1_000]); // the second waited a second for a token
  });

  it('never holds our calls (destroys included) longer than one window, whatever a header says', async () => {
    expect(await pauseAfter(200, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1795948502' })).toBe(0); // an epoch, not seconds to wait
    expect(await pauseAfter(429, { 'retry-after': '86400' })).toBe(60_000);
  });
});

describe('redactSecrets', () => {
  it('removes keys, URL-encoded keys and bearer tokens', () => {
    expect(redactSecrets('key=abc/def+123 and abc%2Fdef%2B123 Bearer xyz', ['abc/def+123'])).toBe('key=*** and *** Bearer ***');
  });
});

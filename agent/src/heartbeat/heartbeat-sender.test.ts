import { describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../clock';
import { silentLogger } from '../logger';
import { heartbeatRequestSchema } from './contract';
import type { HeartbeatRequest } from './contract';
import { HeartbeatSender } from './heartbeat-sender';

const request = (final: boolean): HeartbeatRequest => ({
  sessionId: 's1',
  sentAt: '2030-01-01T00:00:00.000Z',
  status: { gpuProbe: 'none', gpuCount: 0, maxGpuUtilizationPercent: null, runningJobs: 0, llmEngine: 'disabled', llmEngineRestarts: 0, ready: true, agentUptimeSeconds: 0, reservationEndsAt: null },
  activity: { llmRequests: 0, fileTransfers: 0, jobEvents: 0, lastActivityAt: null },
  idle: { idle: false, idleSince: null, reason: 'x' },
  final,
});

function harness() {
  const clock = new ManualClock();
  let reachable = true;
  const fetch = vi.fn(async (_url: string, _init: RequestInit) =>
    reachable ? Response.json({ reservationEndsAt: null, shutdown: false }) : Promise.reject(new TypeError('fetch failed')),
  );
  const onResponse = vi.fn();
  const sender = new HeartbeatSender({
    shopperUrl: 'https://shopper.example/',
    sessionId: 's1',
    nodeToken: 'node-token',
    intervalMs: 15_000,
    maxBackoffMs: 120_000,
    timeoutMs: 1000,
    clock,
    fetch: fetch as unknown as typeof globalThis.fetch,
    logger: silentLogger,
    buildRequest: request,
    onResponse,
  });
  return { clock, fetch, onResponse, sender, setReachable: (value: boolean) => (reachable = value) };
}

describe('heartbeat sender', () => {
  it('posts the contract body with the session token every interval', async () => {
    const { clock, fetch, sender } = harness();
    await sender.tick();
    await sender.tick();
    expect(fetch).toHaveBeenCalledTimes(1);
    const [url, init] = fetch.mock.calls[0] ?? [];
    expect(url).toBe('https://shopper.example/api/v1/sessions/s1/heartbeat');
    expect((init?.headers as Record<string, string>).authorization).toBe('Bearer node-token');
    expect(heartbeatRequestSchema.parse(JSON.parse(String(init?.body))).final).toBe(false);
    clock.advanceMs(14_999);
    await sender.tick();
    expect(fetch).toHaveBeenCalledTimes(1);
    clock.advanceMs(1);
    await sender.tick();
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(sender.lastContactAt).toEqual(clock.now());
  });

  it('retries within seconds, then backs off exponentially while the shopper is unreachable, up to the cap', async () => {
    const { clock, fetch, sender, setReachable } = harness();
    setReachable(false);
    const attemptTimes: number[] = [];
    const start = clock.now().getTime();
    for (let second = 0; second <= 600; second += 1) {
      const before = fetch.mock.calls.length;
      await sender.tick();
      if (fetch.mock.calls.length > before) attemptTimes.push((clock.now().getTime() - start) / 1000);
      clock.advanceMs(1000);
    }
    expect(attemptTimes.slice(0, 9)).toEqual([0, 2, 6, 14, 30, 62, 126, 246, 366]);
    expect(sender.lastContactAt).toBeNull();
    setReachable(true);
    clock.advanceMs(120_000);
    await sender.tick();
    expect(sender.consecutiveFailures).toBe(0);
  });

  it('counts a non-2xx answer or a malformed body as no contact', async () => {
    const { fetch, sender, onResponse } = harness();
    fetch.mockImplementationOnce(async () => new Response('gone', { status: 404 }));
    expect(await sender.send(false)).toBeNull();
    fetch.mockImplementationOnce(async () => Response.json({ nonsense: true }));
    expect(await sender.send(false)).toBeNull();
    expect(sender.lastContactAt).toBeNull();
    expect(onResponse).not.toHaveBeenCalled();
  });
});

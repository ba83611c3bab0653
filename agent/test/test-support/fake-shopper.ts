// A shopper that records the heartbeats it receives (validated against the contract) and answers as told; injected as the agent's fetch.
import { vi } from 'vitest';
import { heartbeatRequestSchema } from '../../src/heartbeat/contract';
import type { HeartbeatRequest, HeartbeatResponse } from '../../src/heartbeat/contract';

export function fakeShopper() {
  const heartbeats: HeartbeatRequest[] = [];
  let reachable = true;
  let answer: HeartbeatResponse = { reservationEndsAt: null, shutdown: false };
  const fetch = vi.fn(async (url: string | URL | Request, init?: RequestInit) => {
    if (String(url).includes('vast')) return new Response('{}', { status: 200 });
    if (!reachable) throw new TypeError('fetch failed');
    heartbeats.push(heartbeatRequestSchema.parse(JSON.parse(String(init?.body))));
    return Response.json(answer);
  });
  return {
    fetch: fetch as unknown as typeof globalThis.fetch,
    calls: fetch.mock.calls,
    heartbeats,
    setReachable: (value: boolean) => (reachable = value),
    answer: (value: HeartbeatResponse) => (answer = value),
  };
}

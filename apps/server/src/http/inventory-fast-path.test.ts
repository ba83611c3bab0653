// The inventory fast path answers exactly as the generic trpc-to-openapi route: two HTTP servers over
// the same dependencies, one with the fast path and one without, get the same requests, valid and
// invalid, and must give the same statuses, headers, bodies (byte for byte) and access-log lines.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '@gpu-shopper/domain';
import { makeOffer, ScriptedAdapter } from '@gpu-shopper/services/test-support';
import { loadConfig } from '../config';
import { consoleLogger, silentLogger } from '../logger';
import { startServer, type RunningServer } from '../start';
import { buildHttpServer } from './build-server';
import { Readiness } from '../readiness';
import type { RateLimitConfig } from './rate-limit';

const ADMIN_KEY = 'fast-path-test-admin-key-0000';
/** Small enough to reach in a test: the clock is manual, so nothing refills. */
const RATE_LIMITS: RateLimitConfig = { perApiKey: { perMinute: 60, burst: 40 }, perAddress: { perMinute: 6_000, burst: 1_000 }, authFailuresPerAddress: { perMinute: 60, burst: 50 } };

interface Answer {
  status: number;
  headers: Record<string, string | null>;
  body: string;
}

describe('inventory fast path', () => {
  let server: RunningServer;
  const apps: { fast?: FastifyInstance; generic?: FastifyInstance } = {};
  const urls = { fast: '', generic: '' };
  const logs = { fast: [] as string[], generic: [] as string[] };
  let consumerKey = '';
  let throttledKey = '';

  const clock = new ManualClock('2026-05-01T00:00:00Z');

  beforeAll(async () => {
    const vast = new ScriptedAdapter('vastai', [
      makeOffer({ id: 'vastai:1', gpuModel: 'RTX 4090', pricePerHourUsd: 0.45 }),
      makeOffer({ id: 'vastai:2', gpuModel: 'RTX 4090', pricePerHourUsd: 0.45, country: 'DE', region: 'Bavaria', reliability: null }),
      makeOffer({ id: 'vastai:3', gpuModel: 'H100 SXM', vramGbPerGpu: 80, gpuCount: 8, pricePerHourUsd: 19.9 }),
      // One offer the API's schema refuses: a search that selects it is a 500 either way.
      makeOffer({ id: 'vastai:4', gpuModel: 'Broken 9', pricePerHourUsd: 0.5, reliability: 1.5 }),
    ]);
    const tensordock = new ScriptedAdapter('tensordock', [makeOffer({ id: 'tensordock:a', provider: 'tensordock', gpuModel: 'RTX 4090', pricePerHourUsd: 0.41, region: 'Idaho', availableForHours: null })]);
    server = await startServer({ config: loadConfig({ PORT: '0', HOST: '127.0.0.1', GPU_SHOPPER_DB: ':memory:', GPU_SHOPPER_ADMIN_KEY: ADMIN_KEY }), logger: silentLogger, clock, adapters: [vast, tensordock] });
    for (const kind of ['fast', 'generic'] as const) {
      const logger = consoleLogger({ write: (line) => logs[kind].push(line) }, { level: 'info', format: 'json' });
      const app = buildHttpServer(server.deps, logger, undefined, { rateLimits: RATE_LIMITS, inventoryFastPath: kind === 'fast' });
      urls[kind] = await app.listen({ port: 0, host: '127.0.0.1' });
      apps[kind] = app;
    }
    const createKey = async (consumer: string) => {
      const response = await fetch(`${server.url}/api/v1/admin/keys`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ consumer }) });
      return ((await response.json()) as { key: string }).key;
    };
    consumerKey = await createKey('atlas');
    throttledKey = await createKey('borealis');
    // The menu fetched once before the comparisons, so that both servers' response caches store from the first answer on.
    await server.deps.inventory.search({});
  });
  afterAll(async () => {
    await apps.fast?.close();
    await apps.generic?.close();
    await server?.close();
  });

  async function ask(kind: 'fast' | 'generic', path: string, key: string | null, requestId: string): Promise<Answer> {
    const headers: Record<string, string> = { 'x-request-id': requestId };
    if (key !== null) headers.authorization = `Bearer ${key}`;
    const response = await fetch(`${urls[kind]}${path}`, { headers });
    const names = ['content-type', 'content-length', 'www-authenticate', 'retry-after', 'x-request-id', 'x-inventory-cache'];
    return { status: response.status, headers: Object.fromEntries(names.map((name) => [name, response.headers.get(name)])), body: await response.text() };
  }

  /** The same request to both servers (the generic one first, so the fast one cannot lean on its cache). */
  async function both(path: string, key: string | null, requestId: string): Promise<{ fast: Answer; generic: Answer }> {
    const generic = await ask('generic', path, key, requestId);
    const fast = await ask('fast', path, key, requestId);
    return { fast, generic };
  }

  const accessLines = (kind: 'fast' | 'generic') =>
    logs[kind]
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((record) => record.msg === 'request')
      .map(({ time: _time, durationMs: _durationMs, ...rest }) => rest);

  it('answers valid and invalid requests exactly as the generic route, and logs them alike', async () => {
    const cases: [string, string | null, number][] = [
      ['/api/v1/inventory?gpu=4090&max_price=1', consumerKey, 200],
      ['/api/v1/inventory', consumerKey, 500],
      ['/api/v1/inventory?', ADMIN_KEY, 500],
      ['/api/v1/inventory?gpu=4090&sort=reliability&limit=2', consumerKey, 200],
      ['/api/v1/inventory?provider=tensordock', consumerKey, 200],
      ['/api/v1/inventory?region=de&min_reliability=0', consumerKey, 200],
      ['/api/v1/inventory?gpu=&min_vram=24&min_gpus=1&sort=vram&limit=3', consumerKey, 200],
      ['/api/v1/inventory?gpu=h100&min_vram=80', ADMIN_KEY, 200],
      ['/api/v1/inventory?gpu=broken', consumerKey, 500],
      ['/api/v1/inventory?max_price=cheap', consumerKey, 400],
      ['/api/v1/inventory?limit=0&sort=cheapest', consumerKey, 400],
      ['/api/v1/inventory?region=DE&region=US', consumerKey, 400],
      ['/api/v1/inventory?gpu=4090&nonce=1&debug=yes', consumerKey, 400],
      ['/api/v1/inventory?gpu=4090', null, 401],
      ['/api/v1/inventory?gpu=4090', 'gsc_not-a-key', 401],
      ['/api/v1/inventory/?gpu=4090', consumerKey, 200],
    ];
    for (const [index, [path, key, status]] of cases.entries()) {
      const { fast, generic } = await both(path, key, `case-${index}`);
      expect(generic.status, path).toBe(status);
      expect(fast, path).toEqual(generic);
    }
    // Asked again, a search is served from the response cache by both.
    const again = await both('/api/v1/inventory?gpu=4090&max_price=1', consumerKey, 'again');
    expect(again.fast).toEqual(again.generic);
    expect(again.fast.headers['x-inventory-cache']).toBe('hit');
    expect(accessLines('fast')).toEqual(accessLines('generic'));
    expect(accessLines('fast')).toContainEqual({ level: 'info', reqId: 'case-0', method: 'GET', route: '/api/v1/inventory', status: 200, consumer: 'atlas', msg: 'request' });
  });

  it('answers as the generic route when the caches are off, for a distinct filter each time', async () => {
    server.deps.inventory.disableQueryCaches();
    const searchJson = vi.spyOn(server.deps.inventory, 'searchJsonNow');
    for (let index = 0; index < 5; index += 1) {
      const { fast, generic } = await both(`/api/v1/inventory?gpu=4090&max_price=${0.42 + index / 100}`, consumerKey, `distinct-${index}`);
      expect(fast.status).toBe(200);
      expect(fast).toEqual(generic);
    }
    // The fast path did answer (the generic route never asks for JSON).
    expect(searchJson).toHaveBeenCalledTimes(5);
    searchJson.mockRestore();
  });

  it('answers as the generic route when a fetch is due (it leaves that request to it), and from memory again after', async () => {
    const searchJsonNow = vi.spyOn(server.deps.inventory, 'searchJsonNow');
    clock.advance(61_000);
    // The key verified again (its cached verdict has expired too), so that only the due fetch is new.
    expect((await fetch(`${urls.fast}/api/v1/sessions`, { headers: { authorization: `Bearer ${consumerKey}` } })).status).toBe(200);
    for (const requestId of ['due', 'fetched']) {
      // The fast server first this time: the fetch is due for it.
      const fast = await ask('fast', '/api/v1/inventory?gpu=h100', consumerKey, requestId);
      const generic = await ask('generic', '/api/v1/inventory?gpu=h100', consumerKey, requestId);
      expect(fast.status).toBe(200);
      expect(fast).toEqual(generic);
    }
    // Asked once while the fetch was due (null: left to the generic route), then answered.
    expect(searchJsonNow.mock.results.map((result) => result.value === null)).toEqual([true, false]);
    searchJsonNow.mockRestore();
  });

  it('answers HEAD and differently spelled paths as the generic route', async () => {
    for (const [method, path, body] of [
      ['HEAD', '/api/v1/inventory?gpu=4090', undefined],
      ['GET', '/api/v1/inventory//?gpu=4090', undefined],
      ['GET', '/api/v1/Inventory?gpu=4090', undefined],
      ['GET', '/api/v1/inventory#x?gpu=4090', undefined],
    ] as const) {
      const answers = await Promise.all(
        (['generic', 'fast'] as const).map(async (kind) => {
          const response = await fetch(`${urls[kind]}${path}`, { method, headers: { authorization: `Bearer ${consumerKey}`, 'x-request-id': 'spelled' }, body });
          return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
        }),
      );
      expect(answers[1], `${method} ${path}`).toEqual(answers[0]);
    }
  });

  it('leaves a request to the generic route when the fast path itself fails', async () => {
    const lookup = vi.spyOn(server.deps.callerCache, 'lookup').mockImplementationOnce(() => {
      throw new Error('a bug in the fast path');
    });
    const fast = await ask('fast', '/api/v1/inventory?gpu=h100&limit=1', consumerKey, 'front-threw');
    const generic = await ask('generic', '/api/v1/inventory?gpu=h100&limit=1', consumerKey, 'front-threw');
    expect(lookup).toHaveBeenCalled();
    expect(fast.status).toBe(200);
    expect(fast).toEqual(generic);
    lookup.mockRestore();
  });

  it('rate-limits alike', async () => {
    const statuses = { fast: [] as number[], generic: [] as number[] };
    for (let index = 0; index < RATE_LIMITS.perApiKey.burst + 2; index += 1) {
      const { fast, generic } = await both(`/api/v1/inventory?limit=${(index % 3) + 1}&provider=tensordock`, throttledKey, `throttle-${index}`);
      expect(fast).toEqual(generic);
      statuses.fast.push(fast.status);
      statuses.generic.push(generic.status);
    }
    expect(statuses.fast.at(-1)).toBe(429);
    expect(statuses.fast).toEqual(statuses.generic);
  });

  it('with a trusted proxy, limits by the forwarded address alike', async () => {
    const limits: RateLimitConfig = { perApiKey: { perMinute: 600, burst: 500 }, perAddress: { perMinute: 60, burst: 3 }, authFailuresPerAddress: { perMinute: 60, burst: 50 } };
    const proxied = await Promise.all(
      (['generic', 'fast'] as const).map(async (kind) => {
        const app = buildHttpServer(server.deps, silentLogger, undefined, { rateLimits: limits, trustProxy: ['127.0.0.1'], inventoryFastPath: kind === 'fast' });
        return { app, url: await app.listen({ port: 0, host: '127.0.0.1' }) };
      }),
    );
    try {
      const statuses = await Promise.all(
        proxied.map(async ({ url }) => {
          const seen: number[] = [];
          for (const client of ['203.0.113.1', '203.0.113.1', '203.0.113.1', '203.0.113.1', '203.0.113.2']) {
            const response = await fetch(`${url}/api/v1/inventory?gpu=4090`, { headers: { authorization: `Bearer ${consumerKey}`, 'x-forwarded-for': client } });
            seen.push(response.status);
          }
          return seen;
        }),
      );
      expect(statuses[0]).toEqual([200, 200, 200, 429, 200]);
      expect(statuses[1]).toEqual(statuses[0]);
    } finally {
      await Promise.all(proxied.map(({ app }) => app.close()));
    }
  });

  it('turns requests away alike while draining', async () => {
    const drained = await Promise.all(
      (['generic', 'fast'] as const).map(async (kind) => {
        const readiness = new Readiness();
        readiness.advance('ready');
        const app = buildHttpServer(server.deps, silentLogger, readiness, { inventoryFastPath: kind === 'fast' });
        const url = await app.listen({ port: 0, host: '127.0.0.1' });
        readiness.advance('draining');
        const response = await fetch(`${url}/api/v1/inventory?gpu=4090`, { headers: { authorization: `Bearer ${consumerKey}` } });
        const answer = { status: response.status, connection: response.headers.get('connection'), body: await response.text() };
        await app.close();
        return answer;
      }),
    );
    expect(drained[0]!.status).toBe(503);
    expect(drained[1]).toEqual(drained[0]);
  });
});

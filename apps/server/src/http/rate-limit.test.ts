// Rate limits: token buckets (refill on the injected clock, bounded memory), and over real HTTP the
// 429s per API key, per client address (X-Forwarded-For from a trusted proxy) and after failed
// authentications, in the API's error shapes, with what is never limited.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '@gpu-shopper/domain';
import { openDatabase, type Orm } from '@gpu-shopper/db';
import { ApiKeyService, CallerCache, InventoryService } from '@gpu-shopper/services';
import type { ApiDeps } from '@gpu-shopper/api';
import type { FastifyInstance } from 'fastify';
import { silentLogger } from '../logger';
import { buildHttpServer } from './build-server';
import { addressBucketId, TokenBuckets, type RateLimitConfig } from './rate-limit';

describe('TokenBuckets', () => {
  it('lets a burst through, then makes callers wait until the rate refills a token', () => {
    const buckets = new TokenBuckets({ perMinute: 6, burst: 2 });
    const at = 1_000_000;
    for (let i = 0; i < 2; i += 1) {
      expect(buckets.waitSeconds('a', at)).toBe(0);
      buckets.take('a', at);
    }
    expect(buckets.waitSeconds('a', at)).toBe(10);
    expect(buckets.waitSeconds('a', at + 4_000)).toBe(6);
    expect(buckets.waitSeconds('b', at)).toBe(0);
    expect(buckets.waitSeconds('a', at + 10_000)).toBe(0);
    // Never more than the burst, however long it was idle.
    buckets.take('a', at + 3_600_000);
    buckets.take('a', at + 3_600_000);
    expect(buckets.waitSeconds('a', at + 3_600_000)).toBeGreaterThan(0);
  });

  it('a clock set back refills nothing and drains nothing', () => {
    const buckets = new TokenBuckets({ perMinute: 60, burst: 1 });
    buckets.take('a', 10_000);
    expect(buckets.waitSeconds('a', 5_000)).toBe(1);
  });

  it('stays bounded: idle (full) buckets are swept, and a flood of new ids evicts the least recently used', () => {
    const buckets = new TokenBuckets({ perMinute: 60, burst: 5 }, 100);
    for (let i = 0; i < 1_000; i += 1) buckets.take(`flood-${i}`, 0);
    expect(buckets.size).toBeLessThanOrEqual(100);
    // A minute later every bucket has refilled: the next take sweeps them all.
    buckets.take('late', 61_000);
    expect(buckets.size).toBe(1);
  });
});

describe('addressBucketId', () => {
  it('is the IPv4 address (IPv4-mapped IPv6 too) and the /64 of an IPv6 address', () => {
    expect(addressBucketId('203.0.113.7')).toBe('203.0.113.7');
    expect(addressBucketId('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressBucketId('2001:db8:0:1::5')).toBe('2001:db8:0:1::/64');
    expect(addressBucketId('2001:0db8:0000:0001:ffff:1:2:3')).toBe('2001:db8:0:1::/64');
    expect(addressBucketId('::1')).toBe('0:0:0:0::/64');
  });
});

const ADMIN_KEY = 'rate-limit-test-admin-key';
const LIMITS: RateLimitConfig = {
  perApiKey: { perMinute: 60, burst: 3 },
  perAddress: { perMinute: 60, burst: 5 },
  authFailuresPerAddress: { perMinute: 6, burst: 2 },
};

describe('rate limits over HTTP', () => {
  let orm: Orm;
  let clock: ManualClock;
  let app: FastifyInstance | null = null;

  beforeAll(async () => {
    orm = await openDatabase({ dbPath: ':memory:' });
    clock = new ManualClock();
    await new ApiKeyService(orm.em.fork(), clock, new CallerCache(clock)).ensureAdminKey(ADMIN_KEY);
  });
  afterEach(async () => {
    await app?.close();
    app = null;
  });
  afterAll(() => orm?.close());

  /** A fresh server (fresh buckets) behind a trusted loopback proxy, so X-Forwarded-For picks the client address. */
  async function serve(options: { trustProxy?: string[]; rateLimits?: RateLimitConfig | null } = {}) {
    const deps: ApiDeps = { orm, clock, inventory: new InventoryService({ adapters: [], clock }), callerCache: new CallerCache(clock), provisioner: null };
    app = buildHttpServer(deps, silentLogger, undefined, { rateLimits: LIMITS, trustProxy: ['loopback'], ...options });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    return (path: string, { from = '198.51.100.1', key = null as string | null, method = 'GET', body = undefined as string | undefined } = {}) =>
      fetch(`${url}${path}`, {
        method,
        body,
        headers: { 'x-forwarded-for': from, ...(key === null ? {} : { authorization: `Bearer ${key}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      });
  }

  it('answers 429 with Retry-After and the JSON error body once a key has used its burst, from any address, until the clock refills it', async () => {
    const api = await serve();
    for (let i = 0; i < 3; i += 1) expect((await api('/api/v1/whoami', { key: ADMIN_KEY, from: `198.51.100.${i + 1}` })).status).toBe(200);
    const limited = await api('/api/v1/whoami', { key: ADMIN_KEY, from: '198.51.100.9' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(await limited.json()).toEqual({ message: 'too many requests with this API key; retry in 1 s', code: 'TOO_MANY_REQUESTS', data: { code: 'TOO_MANY_REQUESTS', httpStatus: 429, field: null, fieldErrors: null } });
    // Another caller from the same address is not held up by this key.
    expect((await api('/api/v1/openapi.json', { from: '198.51.100.9' })).status).toBe(200);
    clock.advance(1_000);
    expect((await api('/api/v1/whoami', { key: ADMIN_KEY })).status).toBe(200);
    expect((await api('/api/v1/whoami', { key: ADMIN_KEY })).status).toBe(429);
  });

  it('limits each client address, on /trpc in tRPC error shape too; probes, docs, /metrics and node heartbeats are not limited', async () => {
    const api = await serve();
    for (let i = 0; i < 5; i += 1) expect((await api('/api/v1/openapi.json', { from: '203.0.113.7' })).status).toBe(200);
    const rest = await api('/api/v1/openapi.json', { from: '203.0.113.7' });
    expect(rest.status).toBe(429);
    expect(await rest.json()).toMatchObject({ message: 'too many requests from this address; retry in 1 s', code: 'TOO_MANY_REQUESTS' });
    const trpc = await api('/trpc/inventory.search?input=%7B%7D', { from: '203.0.113.7' });
    expect(trpc.status).toBe(429);
    expect(trpc.headers.get('retry-after')).toBe('1');
    expect(await trpc.json()).toEqual({ error: { message: 'too many requests from this address; retry in 1 s', code: -32029, data: { code: 'TOO_MANY_REQUESTS', httpStatus: 429, field: null, fieldErrors: null } } });
    expect((await api('/trpc/inventory.search,admin.whoami?batch=1&input=%7B%7D', { from: '203.0.113.7' }).then((r) => r.json())) as unknown[]).toHaveLength(2);
    // Unknown paths count too (no way around the limit by a path the router does not know).
    expect((await api('/nowhere', { from: '203.0.113.7' })).status).toBe(429);
    for (const path of ['/healthz', '/readyz', '/docs', '/metrics']) expect((await api(path, { from: '203.0.113.7', key: ADMIN_KEY })).status, path).not.toBe(429);
    const heartbeat = JSON.stringify({ sessionId: 'ses_x', sentAt: clock.now().toISOString(), status: { ready: true, runningJobs: 0, maxGpuUtilizationPercent: null }, activity: {}, idle: { idle: false, idleSince: null, reason: '' }, final: false });
    for (const path of ['/api/v1/sessions/ses_x/heartbeat', '/trpc/sessions.heartbeat']) {
      expect((await api(path, { from: '203.0.113.7', key: 'gsn_node-token', method: 'POST', body: path.startsWith('/trpc') ? JSON.stringify({ id: 'ses_x', ...JSON.parse(heartbeat) }) : heartbeat })).status, path).not.toBe(429);
    }
    // Another address has its own bucket.
    expect((await api('/api/v1/openapi.json', { from: '203.0.113.8' })).status).toBe(200);
  });

  it('throttles failed authentication harder, per address: after the small burst of 401s, 429 for keys not just verified', async () => {
    const api = await serve();
    // The operator's key, verified moments ago from elsewhere.
    expect((await api('/api/v1/whoami', { key: ADMIN_KEY, from: '192.0.2.1' })).status).toBe(200);
    expect((await api('/api/v1/whoami', { key: 'gsc_guess-1', from: '192.0.2.66' })).status).toBe(401);
    expect((await api('/api/v1/whoami', { from: '192.0.2.66' })).status).toBe(401);
    // Two failures, well inside the address's burst of 5: the guesser is stopped.
    const throttled = await api('/api/v1/whoami', { key: 'gsc_guess-2', from: '192.0.2.66' });
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('10');
    expect(await throttled.json()).toMatchObject({ code: 'TOO_MANY_REQUESTS', message: 'too many failed authentications from this address; retry in 10 s' });
    expect((await api('/metrics', { key: 'gsc_guess-3', from: '192.0.2.66' })).status).toBe(429);
    expect((await api('/trpc/admin.whoami?input=%7B%7D', { key: 'gsc_guess-4', from: '192.0.2.66' })).status).toBe(429);
    // A key verified moments ago still gets through from that address; other addresses are not affected.
    expect((await api('/api/v1/whoami', { key: ADMIN_KEY, from: '192.0.2.66' })).status).toBe(200);
    expect((await api('/api/v1/whoami', { key: 'gsc_guess-5', from: '192.0.2.67' })).status).toBe(401);
    // One more guess every 10 s (6 a minute).
    clock.advance(10_000);
    expect((await api('/api/v1/whoami', { key: 'gsc_guess-6', from: '192.0.2.66' })).status).toBe(401);
    expect((await api('/api/v1/whoami', { key: 'gsc_guess-7', from: '192.0.2.66' })).status).toBe(429);
    // 401s on /metrics drain the same bucket.
    expect((await api('/metrics', { key: 'gsc_guess', from: '192.0.2.68' })).status).toBe(401);
    expect((await api('/metrics', { key: 'gsc_guess', from: '192.0.2.68' })).status).toBe(401);
    expect((await api('/api/v1/whoami', { key: 'gsc_guess', from: '192.0.2.68' })).status).toBe(429);
  });

  it('believes X-Forwarded-For only from a trusted proxy: without one, the connection is the client', async () => {
    const api = await serve({ trustProxy: [] });
    for (let i = 0; i < 5; i += 1) expect((await api('/api/v1/openapi.json', { from: `198.51.100.${i}` })).status).toBe(200);
    expect((await api('/api/v1/openapi.json', { from: '198.51.100.200' })).status).toBe(429);
  });

  it('limits nothing when turned off', async () => {
    const api = await serve({ rateLimits: null });
    for (let i = 0; i < 8; i += 1) expect((await api('/api/v1/whoami', { key: 'gsc_wrong' })).status).toBe(401);
  });
});

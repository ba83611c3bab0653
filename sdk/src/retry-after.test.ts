// The SDK against a tiny HTTP server that rate-limits on cue: a 429 with Retry-After is waited out
// and retried once for queries and idempotent mutations, never for other mutations, and a second 429
// comes back as a clear error.
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createShopperClient, describeShopperError } from './index';
import { retryAfterSeconds } from './retry-after';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

const RATE_LIMITED = { error: { message: 'too many requests with this API key; retry in 2 s', code: -32029, data: { code: 'TOO_MANY_REQUESTS', httpStatus: 429, field: null, fieldErrors: null } } };

/** Answers 429 (Retry-After `retryAfter`) `limited` times, then `data` as a tRPC result. */
async function rateLimitingServer(options: { limited: number; retryAfter?: string | null; data?: unknown }): Promise<{ url: string; seen: Seen[]; server: Server }> {
  const seen: Seen[] = [];
  let limited = options.limited;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      seen.push({ method: request.method!, url: request.url!, headers: request.headers });
      if (limited > 0) {
        limited -= 1;
        const retryAfter = options.retryAfter === undefined ? '2' : options.retryAfter;
        response.writeHead(429, { 'content-type': 'application/json', ...(retryAfter === null ? {} : { 'retry-after': retryAfter }) });
        return response.end(JSON.stringify(RATE_LIMITED));
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ result: { data: options.data ?? { role: 'consumer', consumerName: 'atlas' } } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

describe('the SDK honours Retry-After', () => {
  let server: Server | null = null;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  const sleeps: number[] = [];
  const sleep = async (ms: number) => void sleeps.push(ms);
  afterEach(() => void sleeps.splice(0));

  it('waits the stated time and retries a query once (429 then 200)', async () => {
    const fake = await rateLimitingServer({ limited: 1 });
    server = fake.server;
    const client = createShopperClient({ url: fake.url, apiKey: 'gsc_k', retryAfter: { sleep } });
    expect(await client.admin.whoami.query({})).toEqual({ role: 'consumer', consumerName: 'atlas' });
    expect(sleeps).toEqual([2_000]);
    expect(fake.seen.map((request) => request.method)).toEqual(['GET', 'GET']);
  });

  it('really waits by default', async () => {
    const fake = await rateLimitingServer({ limited: 1, retryAfter: '1' });
    server = fake.server;
    const started = Date.now();
    await createShopperClient({ url: fake.url, apiKey: 'gsc_k' }).admin.whoami.query({});
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(fake.seen).toHaveLength(2);
  });

  it('retries once only: a second 429 is a clear TOO_MANY_REQUESTS error with the wait', async () => {
    const fake = await rateLimitingServer({ limited: 2 });
    server = fake.server;
    const client = createShopperClient({ url: fake.url, apiKey: 'gsc_k', retryAfter: { sleep } });
    const error = await client.admin.whoami.query({}).catch(describeShopperError);
    expect(error).toEqual({ code: 'TOO_MANY_REQUESTS', httpStatus: 429, message: 'too many requests with this API key; retry in 2 s', field: null, retryAfterSeconds: 2 });
    expect(fake.seen).toHaveLength(2);
    expect(sleeps).toEqual([2_000]);
  });

  it('retries a mutation only when it carries an Idempotency-Key', async () => {
    const idempotent = await rateLimitingServer({ limited: 1, data: { id: 'ses_1' } });
    server = idempotent.server;
    const input = { workload: 'batch', hours: 1, gpu: '4090' } as Parameters<ReturnType<typeof createShopperClient>['sessions']['create']['mutate']>[0];
    const withKey = createShopperClient({ url: idempotent.url, apiKey: 'gsc_k', headers: { 'idempotency-key': 'job-42' }, retryAfter: { sleep } });
    expect(await withKey.sessions.create.mutate(input)).toEqual({ id: 'ses_1' });
    expect(idempotent.seen.map((request) => [request.method, request.headers['idempotency-key']])).toEqual([
      ['POST', 'job-42'],
      ['POST', 'job-42'],
    ]);
    server.close();

    const plain = await rateLimitingServer({ limited: 1, data: { id: 'ses_1' } });
    server = plain.server;
    const withoutKey = createShopperClient({ url: plain.url, apiKey: 'gsc_k', retryAfter: { sleep } });
    expect(await withoutKey.sessions.create.mutate(input).catch(describeShopperError)).toMatchObject({ code: 'TOO_MANY_REQUESTS', retryAfterSeconds: 2 });
    expect(plain.seen).toHaveLength(1);
    expect(sleeps).toEqual([2_000]);
  });

  it('does not wait past the cap, nor without a Retry-After', async () => {
    const long = await rateLimitingServer({ limited: 1, retryAfter: '31' });
    server = long.server;
    expect(await createShopperClient({ url: long.url, apiKey: 'gsc_k', retryAfter: { sleep } }).admin.whoami.query({}).catch(describeShopperError)).toMatchObject({ code: 'TOO_MANY_REQUESTS', retryAfterSeconds: 31 });
    expect(long.seen).toHaveLength(1);
    server.close();

    const bare = await rateLimitingServer({ limited: 1, retryAfter: null });
    server = bare.server;
    expect(await createShopperClient({ url: bare.url, apiKey: 'gsc_k', retryAfter: { sleep } }).admin.whoami.query({}).catch(describeShopperError)).toMatchObject({ code: 'TOO_MANY_REQUESTS', retryAfterSeconds: null });
    expect(bare.seen).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterSeconds('7', now)).toBe(7);
    expect(retryAfterSeconds('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5);
    expect(retryAfterSeconds('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(retryAfterSeconds('soon', now)).toBeNull();
    expect(retryAfterSeconds(null, now)).toBeNull();
  });
});

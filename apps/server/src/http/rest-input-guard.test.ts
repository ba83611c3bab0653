// The REST guard: authentication before anything about the body, depth and size limits, unknown
// names refused by name, all in the API's error body.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { systemClock } from '@gpu-shopper/domain';
import { openDatabase, type Orm } from '@gpu-shopper/db';
import { ApiKeyService, CallerCache, InventoryService } from '@gpu-shopper/services';
import { openApiDocument, type ApiDeps } from '@gpu-shopper/api';
import { silentLogger } from '../logger';
import { buildHttpServer } from './build-server';
import { jsonDepthExceeds, MAX_JSON_DEPTH, restOperations, unknownFields } from './rest-input-guard';

describe('REST input guard', () => {
  let orm: Orm;
  let app: FastifyInstance;
  let key: string;

  beforeAll(async () => {
    orm = await openDatabase({ dbPath: ':memory:' });
    const deps: ApiDeps = { orm, clock: systemClock, inventory: new InventoryService({ adapters: [], clock: systemClock }), callerCache: new CallerCache(systemClock), provisioner: null };
    key = (await new ApiKeyService(orm.em.fork(), systemClock, deps.callerCache).createConsumerKey('atlas')).key;
    app = buildHttpServer(deps, silentLogger, undefined, { rateLimits: null });
  });
  afterAll(async () => {
    await app?.close();
    await orm?.close();
  });

  const post = (url: string, body?: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers }, ...(body === undefined ? {} : { payload: body }) });

  it('authenticates before looking at the body: 401 without a key or with a bad one, even with no body or a foreign content type', async () => {
    for (const authorization of [undefined, 'Bearer gsc_wrong', 'Basic abc']) {
      const headers = authorization === undefined ? {} : { authorization };
      for (const request of [{}, { 'content-type': 'text/plain', payload: 'hello' }, { 'content-type': 'application/json', payload: '['.repeat(5000) }]) {
        const { payload, ...contentType } = request as { payload?: string; 'content-type'?: string };
        const response = await app.inject({ method: 'POST', url: '/api/v1/budgets', headers: { ...headers, ...contentType }, ...(payload === undefined ? {} : { payload }) });
        expect(response.statusCode).toBe(401);
        expect(response.json()).toMatchObject({ code: 'UNAUTHORIZED', message: expect.any(String), data: { httpStatus: 401 } });
      }
    }
  });

  it('answers JSON nested past the limit with 400 naming the problem, at any depth past it, without parsing it', async () => {
    for (const depth of [MAX_JSON_DEPTH + 1, 5_000, 200_000]) {
      const response = await post('/api/v1/sessions', `{"hours":${'['.repeat(depth)}${']'.repeat(depth)}}`);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'BAD_REQUEST', message: `the request body nests deeper than ${MAX_JSON_DEPTH} levels`, data: { code: 'BAD_REQUEST', httpStatus: 400 } });
    }
    // Brackets inside strings are text, not depth.
    const inString = await post('/api/v1/budgets', JSON.stringify({ limitUsd: 5, period: 'month', webhookUrl: `https://x/${'['.repeat(100)}` }));
    expect(inString.json()).not.toMatchObject({ message: expect.stringContaining('nests deeper') });
  });

  it('answers a body over the size limit with 413 PAYLOAD_TOO_LARGE', async () => {
    const response = await post('/api/v1/budgets', JSON.stringify({ limitUsd: 5, period: 'month', webhookUrl: 'x'.repeat(2 * 1024 * 1024) }));
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: expect.any(String), data: { httpStatus: 413 } });
  });

  it('refuses unknown query parameters and body fields by name, GET and POST alike', async () => {
    const query = await app.inject({ method: 'GET', url: '/api/v1/inventory?max_prise=0.5&gpu=4090', headers: { authorization: `Bearer ${key}` } });
    expect(query.statusCode).toBe(400);
    expect(query.json()).toMatchObject({ code: 'BAD_REQUEST', message: 'invalid input: max_prise: unknown query parameter', data: { field: 'max_prise', fieldErrors: { max_prise: ['unknown query parameter'] } } });

    const body = await post('/api/v1/budgets', JSON.stringify({ limitUsd: 5, period: 'month', limitUSD: 6, extra: { a: 1 } }));
    expect(body.statusCode).toBe(400);
    expect(body.json()).toMatchObject({ data: { fieldErrors: { limitUSD: ['unknown field'], extra: ['unknown field'] } } });

    const queryOnPost = await post('/api/v1/budgets?dry_run=1', JSON.stringify({ limitUsd: 5, period: 'month' }));
    expect(queryOnPost.statusCode).toBe(400);
    expect(queryOnPost.json()).toMatchObject({ data: { field: 'dry_run' } });
  });

  it('takes no body as no input, and refuses a body that is not a JSON object or not JSON at all', async () => {
    const none = await post('/api/v1/budgets');
    expect(none.statusCode).toBe(400);
    expect(none.json()).toMatchObject({ data: { fieldErrors: { limitUsd: expect.any(Array) } } });
    expect((await post('/api/v1/budgets', '[1,2]')).json()).toMatchObject({ data: { field: '(body)' } });
    const text = await post('/api/v1/budgets', 'limitUsd=5', { 'content-type': 'text/plain' });
    expect(text.statusCode).toBe(415);
    expect(text.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect((await post('/api/v1/budgets', '{"limitUsd":')).json()).toMatchObject({ code: 'BAD_REQUEST', data: { httpStatus: 400 } });
  });

  it('answers a URL Fastify cannot decode in the API error shape', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/sessions/%E0%A4%A', headers: { authorization: `Bearer ${key}` } });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'BAD_REQUEST', message: expect.any(String), data: { httpStatus: 400 } });
  });

  it('reads every operation of the document, with its query parameters and whether it is secured', async () => {
    const operations = restOperations(await openApiDocument());
    const inventory = operations.find((operation) => operation.method === 'GET' && operation.path === '/inventory');
    expect([...(inventory?.queryParameters ?? [])]).toContain('max_price');
    expect(operations.every((operation) => operation.secured)).toBe(true);
    expect(operations.find((operation) => operation.path === '/sessions/{id}')?.pattern.test('/sessions/ses_1')).toBe(true);
  });

  it('finds unknown keys at any depth, and lets loose objects (additionalProperties) keep theirs', async () => {
    const schema = {
      type: 'object',
      properties: {
        status: { type: 'object', properties: { ready: { type: 'boolean' } }, additionalProperties: {} },
        idle: { type: 'object', properties: { idle: { type: 'boolean' } } },
        list: { type: 'array', items: { type: 'object', properties: { a: { type: 'number' } } } },
        either: { anyOf: [{ type: 'object', properties: { b: { type: 'number' } } }, { type: 'null' }] },
      },
    };
    const value = { status: { ready: true, gpuCount: 1 }, idle: { idle: true, since: 1 }, list: [{ a: 1 }, { z: 2 }], either: { b: 1, c: 2 }, top: 1 };
    expect(unknownFields(value, schema, await openApiDocument())).toEqual(['idle.since', 'list.1.z', 'either.c', 'top']);
  });

  it('measures depth without being fooled by strings or escapes', () => {
    expect(jsonDepthExceeds('[[[]]]', 3)).toBe(false);
    expect(jsonDepthExceeds('[[[[]]]]', 3)).toBe(true);
    expect(jsonDepthExceeds('{"a":"[[[[\\"[[[["}', 1)).toBe(false);
    expect(jsonDepthExceeds('{"a":{"b":{"c":{}}}}', 3)).toBe(true);
  });
});

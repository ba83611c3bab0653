// Real failing requests against the real server: each answer's status must be documented for its
// operation, and its body (and required headers) must match what the document says for that status.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OpenAPIObject } from 'trpc-to-openapi';
import { systemClock } from '@gpu-shopper/domain';
import { openDatabase } from '@gpu-shopper/db';
import { CallerCache, InventoryService } from '@gpu-shopper/services';
import { loadConfig } from '../config';
import { silentLogger } from '../logger';
import { Readiness } from '../readiness';
import { startServer, type RunningServer } from '../start';
import { buildHttpServer } from './build-server';
import { documentedAnswerProblems } from './openapi-response-check';

const ADMIN_KEY = 'errors-admin-key-0123456789';
type Key = 'consumer' | 'other' | 'admin' | 'none' | string;

describe('documented error responses, against the running server', () => {
  let server: RunningServer;
  let document: OpenAPIObject;
  const keys: Record<string, string> = { admin: ADMIN_KEY };

  const call = async (method: string, url: string, options: { key?: Key; body?: string | object; headers?: Record<string, string> } = {}) => {
    const headers = new Headers(options.headers);
    const key = options.key ?? 'consumer';
    if (key !== 'none') headers.set('authorization', `Bearer ${keys[key] ?? key}`);
    const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    if (body !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json');
    const response = await fetch(`${server.url}/api/v1${url}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: response.status, headers: response.headers, body: parsed as Record<string, unknown> };
  };

  /** Sends the request and holds the answer to the document's `method path` at `status`. */
  const expectDocumented = async (status: number, method: string, path: string, url: string, options: Parameters<typeof call>[2] = {}) => {
    const answer = await call(method, url, options);
    expect({ status: answer.status, body: answer.body }).toMatchObject({ status });
    expect(documentedAnswerProblems(document, method, path, answer)).toEqual([]);
    return answer;
  };

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpu-shopper-errors-'));
    server = await startServer({
      config: loadConfig({ PORT: '0', HOST: '127.0.0.1', GPU_SHOPPER_DB: join(dir, 'db.sqlite'), GPU_SHOPPER_ADMIN_KEY: ADMIN_KEY, GPU_SHOPPER_SIM_BOOT_DELAY_MS: '0', GPU_SHOPPER_SIM_NODES: 'none' }),
      logger: silentLogger,
      runLifecycle: false,
    });
    document = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as OpenAPIObject;
    for (const [name, consumer] of [['consumer', 'err-atlas'], ['other', 'err-borealis'], ['limited', 'err-limited']] as const) {
      const created = await call('POST', '/admin/keys', { key: 'admin', body: { consumer } });
      expect(created.status).toBe(200);
      keys[name] = created.body.key as string;
    }
  });
  afterAll(() => server?.close());

  it('documents the real success status of provisioning: 202', async () => {
    const created = await call('POST', '/sessions', { body: { gpu: '4090', hours: 1 }, headers: { 'idempotency-key': 'errors-202' } });
    expect(created.status).toBe(202);
    expect(documentedAnswerProblems(document, 'POST', '/sessions', created)).toEqual([]);
    await server.provisioner!.settled();
  });

  it('400: schema validation (with zod issues), unknown parameters, malformed JSON, a service’s own check', async () => {
    const invalid = await expectDocumented(400, 'GET', '/inventory', '/inventory?max_price=cheap');
    expect(invalid.body).toMatchObject({ code: 'BAD_REQUEST', data: { field: 'max_price', fieldErrors: { max_price: [expect.any(String)] } }, issues: [{ path: ['max_price'] }] });
    const unknown = await expectDocumented(400, 'GET', '/inventory', '/inventory?max_prise=1');
    expect(unknown.body).toMatchObject({ data: { field: 'max_prise', fieldErrors: { max_prise: ['unknown query parameter'] } } });
    await expectDocumented(400, 'POST', '/budgets', '/budgets', { body: '{"limitUsd": 1,' });
    const backwards = await expectDocumented(400, 'GET', '/costs', '/costs?from=2026-02-01&to=2026-01-01');
    expect(backwards.body).toMatchObject({ data: { field: 'from' } });
  });

  it('401: no key, a wrong key, a wrong node token', async () => {
    const missing = await expectDocumented(401, 'GET', '/sessions', '/sessions', { key: 'none' });
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    await expectDocumented(401, 'POST', '/budgets', '/budgets', { key: 'gsc_not-a-key', body: { limitUsd: 1, period: 'day' } });
    await expectDocumented(401, 'POST', '/sessions/{id}/heartbeat', '/sessions/ses_nope/heartbeat', { key: 'gsn_wrong', body: {} });
  });

  it('403: an operator-only operation, an operator’s budget, another consumer’s costs', async () => {
    await expectDocumented(403, 'GET', '/alerts', '/alerts');
    const imposed = await call('POST', '/budgets', { key: 'admin', body: { consumer: 'err-atlas', limitUsd: 500, period: 'month' } });
    expect(imposed.status).toBe(200);
    await expectDocumented(403, 'DELETE', '/budgets/{id}', `/budgets/${imposed.body.id as string}`);
    await expectDocumented(403, 'GET', '/costs', '/costs?consumer=err-borealis');
    await expectDocumented(403, 'GET', '/sessions/{id}/credentials', '/sessions/ses_any/credentials', { key: 'admin' });
  });

  it('404: a session, an override, a key, a consumer that is not there', async () => {
    await expectDocumented(404, 'GET', '/sessions/{id}', '/sessions/ses_missing');
    await expectDocumented(404, 'POST', '/overrides/{id}/approve', '/overrides/ovr_missing/approve', { key: 'admin' });
    await expectDocumented(404, 'POST', '/admin/keys/{id}/rotate', '/admin/keys/key_missing/rotate', { key: 'admin', body: {} });
    await expectDocumented(404, 'GET', '/sessions', '/sessions?consumer=nobody-by-that-name', { key: 'admin' });
  });

  it('402, 409, 412, 422: a blocking budget, a conflict, a wrong state, an Idempotency-Key reused', async () => {
    const blocking = await call('POST', '/budgets', { key: 'other', body: { limitUsd: 0.01, period: 'month', action: 'block' } });
    expect(blocking.status).toBe(200);
    await expectDocumented(402, 'POST', '/sessions', '/sessions', { key: 'other', body: { gpu: '4090', hours: 12 } });

    await expectDocumented(409, 'POST', '/sessions', '/sessions', { body: { gpu: 'no-such-gpu-anywhere', hours: 1 } });
    const self = await call('GET', '/whoami', { key: 'admin' });
    await expectDocumented(409, 'DELETE', '/admin/keys/{id}', `/admin/keys/${self.body.keyId as string}`, { key: 'admin' });

    await expectDocumented(412, 'POST', '/sessions', '/sessions', { key: 'admin', body: { gpu: '4090', hours: 1 } });
    await expectDocumented(412, 'PUT', '/webhook', '/webhook', { key: 'admin', body: { url: null } });

    const first = await call('POST', '/sessions', { body: { gpu: '4090', hours: 1 }, headers: { 'idempotency-key': 'errors-422' } });
    expect(first.status).toBe(202);
    const reused = await expectDocumented(422, 'POST', '/sessions', '/sessions', { body: { gpu: '4090', hours: 2 }, headers: { 'idempotency-key': 'errors-422' } });
    expect(reused.body).toMatchObject({ data: { field: 'Idempotency-Key' } });
    await server.provisioner!.settled();
  });

  it('413 and 415: a body over 1 MiB, a body that is not JSON', async () => {
    await expectDocumented(413, 'POST', '/budgets', '/budgets', { body: JSON.stringify({ webhookUrl: 'x'.repeat(1024 * 1024 + 1) }) });
    await expectDocumented(415, 'POST', '/budgets', '/budgets', { body: 'limitUsd=1', headers: { 'content-type': 'text/plain' } });
    await expectDocumented(415, 'DELETE', '/budgets/{id}', '/budgets/bud_any', { body: '<budget/>', headers: { 'content-type': 'application/xml' } });
  });

  it('429 with Retry-After, once a key has spent its burst', async () => {
    let answer = await call('GET', '/whoami', { key: 'limited' });
    for (let sent = 1; answer.status !== 429 && sent < 400; sent++) answer = await call('GET', '/whoami', { key: 'limited' });
    expect(answer.status).toBe(429);
    expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(documentedAnswerProblems(document, 'GET', '/whoami', answer)).toEqual([]);
  });

  it('503 while draining, in the same shape', async () => {
    const orm = await openDatabase({ dbPath: ':memory:' });
    const readiness = new Readiness();
    readiness.advance('draining');
    const app = buildHttpServer({ orm, clock: systemClock, inventory: new InventoryService({ adapters: [], clock: systemClock }), callerCache: new CallerCache(systemClock), provisioner: null }, silentLogger, readiness);
    try {
      const answer = await app.inject({ method: 'GET', url: '/api/v1/sessions' });
      expect(answer.statusCode).toBe(503);
      expect(documentedAnswerProblems(document, 'GET', '/sessions', { status: answer.statusCode, headers: new Headers(answer.headers as Record<string, string>), body: answer.json() })).toEqual([]);
    } finally {
      await app.close();
      await orm.close();
    }
  });
});

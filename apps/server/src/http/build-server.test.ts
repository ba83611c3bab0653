// The probes: /readyz answers each readiness state truthfully, /healthz stays 200, neither is in the
// OpenAPI document, and while draining other requests are turned away in the API's error shape.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '@gpu-shopper/domain';
import { openDatabase, type Orm } from '@gpu-shopper/db';
import { CallerCache, InventoryService } from '@gpu-shopper/services';
import type { ApiDeps } from '@gpu-shopper/api';
import { silentLogger } from '../logger';
import { Readiness, type ReadinessStatus } from '../readiness';
import { buildHttpServer } from './build-server';

describe('health and readiness probes', () => {
  let orm: Orm;
  let deps: ApiDeps;

  beforeAll(async () => {
    orm = await openDatabase({ dbPath: ':memory:' });
    deps = { orm, clock: systemClock, inventory: new InventoryService({ adapters: [], clock: systemClock }), callerCache: new CallerCache(systemClock), provisioner: null };
  });
  afterAll(() => orm?.close());

  const appIn = (status: ReadinessStatus) => {
    const readiness = new Readiness();
    readiness.advance(status);
    return buildHttpServer(deps, silentLogger, readiness);
  };

  it.each([
    ['starting', /database/],
    ['recovering', /crash recovery/],
    ['draining', /shutting down/],
  ] as const)('answers /readyz 503 {"status":"%s"} with the reason, no key needed; /healthz stays 200', async (status, reason) => {
    const app = appIn(status);
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({ status, message: expect.stringMatching(reason) });
    expect(ready.headers['cache-control']).toBe('no-store');
    const health = await app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: 'ok' });
    await app.close();
  });

  it('answers /readyz 200 {"status":"ready"} once ready', async () => {
    const app = appIn('ready');
    const ready = await app.inject({ method: 'GET', url: '/readyz?probe=1' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready' });
    await app.close();
  });

  it('never goes back from draining to ready', () => {
    const readiness = new Readiness();
    readiness.advance('draining');
    readiness.advance('ready');
    expect(readiness.report().status).toBe('draining');
  });

  it('turns other requests away with 503 while draining, closing the connection', async () => {
    const app = appIn('draining');
    const answer = await app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    expect(answer.statusCode).toBe(503);
    expect(answer.json()).toEqual({ code: 'SERVICE_UNAVAILABLE', message: expect.stringContaining('shutting down'), data: { code: 'SERVICE_UNAVAILABLE', httpStatus: 503, field: null, fieldErrors: null } });
    expect(answer.headers.connection).toBe('close');
    await app.close();
  });

  it('keeps both probes out of the OpenAPI document', async () => {
    const app = appIn('ready');
    const document = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json<{ paths: Record<string, unknown> }>();
    expect(Object.keys(document.paths).length).toBeGreaterThan(0);
    expect(Object.keys(document.paths).filter((path) => /healthz|readyz/.test(path))).toEqual([]);
    await app.close();
  });
});

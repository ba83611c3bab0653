// The real server over HTTP: REST facade, tRPC, OpenAPI, docs, auth — with the Vast.ai adapter
// talking to the simulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './config';
import { silentLogger } from './logger';
import { startServer, type RunningServer } from './start';

const ADMIN_KEY = 'test-admin-key-0123456789';

describe('server over HTTP', () => {
  let server: RunningServer;
  let consumerKey: string;
  let otherKey: string;

  const api = (path: string, init: RequestInit & { key?: string | null } = {}) => {
    const headers = new Headers(init.headers);
    const key = init.key === undefined ? consumerKey : init.key;
    if (key !== null) headers.set('authorization', `Bearer ${key}`);
    if (init.body !== undefined) headers.set('content-type', 'application/json');
    return fetch(`${server.url}${path}`, { ...init, headers });
  };

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpu-shopper-server-'));
    server = await startServer({
      config: loadConfig({ PORT: '0', HOST: '127.0.0.1', GPU_SHOPPER_DB: join(dir, 'db.sqlite'), GPU_SHOPPER_ADMIN_KEY: ADMIN_KEY, GPU_SHOPPER_SIM_BOOT_DELAY_MS: '0', GPU_SHOPPER_SIM_NODES: 'none' }),
      logger: silentLogger,
      runLifecycle: false,
    });
    const created = async (consumer: string) => {
      const response = await api('/api/v1/admin/keys', { method: 'POST', key: ADMIN_KEY, body: JSON.stringify({ consumer }) });
      expect(response.status).toBe(200);
      return ((await response.json()) as { key: string }).key;
    };
    consumerKey = await created('atlas');
    otherKey = await created('borealis');
  });
  afterAll(() => server?.close());

  it('serves /healthz without a key', async () => {
    const response = await api('/healthz', { key: null });
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('serves simulated Vast.ai offers through GET /api/v1/inventory with coerced query parameters', async () => {
    const response = await api('/api/v1/inventory?gpu=4090&max_price=0.5&limit=5');
    expect(response.status).toBe(200);
    const body = (await response.json()) as { offers: { gpuModel: string; pricePerHourUsd: number; provider: string }[]; providers: { provider: string; status: string }[] };
    expect(body.offers.length).toBeGreaterThan(0);
    expect(body.offers.length).toBeLessThanOrEqual(5);
    for (const offer of body.offers) {
      expect(offer.gpuModel).toBe('RTX 4090');
      expect(offer.pricePerHourUsd).toBeLessThanOrEqual(0.5);
    }
    expect(body.offers.map((o) => o.pricePerHourUsd)).toEqual([...body.offers.map((o) => o.pricePerHourUsd)].sort((a, b) => a - b));
    expect(body.providers).toContainEqual(expect.objectContaining({ provider: 'vastai', status: 'fresh' }));
    expect(body.providers).toContainEqual(expect.objectContaining({ provider: 'tensordock', status: 'fresh' }));
    const both = (await (await api('/api/v1/inventory?limit=1000')).json()) as { offers: { provider: string }[] };
    expect(new Set(both.offers.map((offer) => offer.provider))).toEqual(new Set(['vastai', 'tensordock']));
  });

  it('returns the same offers over tRPC as over REST', async () => {
    const rest = (await (await api('/api/v1/inventory?gpu=4090&max_price=0.5')).json()) as { offers: unknown[] };
    const input = encodeURIComponent(JSON.stringify({ gpu: '4090', max_price: 0.5 }));
    const trpc = (await (await api(`/trpc/inventory.search?input=${input}`)).json()) as { result: { data: { offers: unknown[] } } };
    expect(trpc.result.data.offers).toEqual(rest.offers);
  });

  it('answers 400 with a JSON body naming the bad field', async () => {
    const response = await api('/api/v1/inventory?max_price=cheap');
    expect(response.status).toBe(400);
    const body = (await response.json()) as { code: string; issues: { path: string[] }[] };
    expect(body.code).toBe('BAD_REQUEST');
    expect(body.issues[0]?.path).toEqual(['max_price']);
    expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+/);
  });

  it('answers 401 with a JSON body for a missing or bad key', async () => {
    for (const key of [null, 'gsc_wrong']) {
      const response = await api('/api/v1/sessions', { key });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ code: 'UNAUTHORIZED', message: expect.any(String) });
    }
  });

  it('provisions on a simulated provider: 202 at once, ready after the agent’s heartbeat, destroyed after done', async () => {
    const created = await api('/api/v1/sessions', { method: 'POST', headers: { 'idempotency-key': 'req-1' }, body: JSON.stringify({ gpu: '4090', hours: 2 }) });
    expect(created.status).toBe(202);
    const session = (await created.json()) as { id: string; state: string; label: string };
    expect(session.state).toBe('provisioning');
    const again = await api('/api/v1/sessions', { method: 'POST', headers: { 'idempotency-key': 'req-1' }, body: JSON.stringify({ gpu: '4090', hours: 2 }) });
    expect(((await again.json()) as { id: string }).id).toBe(session.id);
    // The same key with another body is a client bug: 422 naming the key, and nothing new is created.
    const conflicting = await api('/api/v1/sessions', { method: 'POST', headers: { 'idempotency-key': 'req-1' }, body: JSON.stringify({ gpu: '4090', hours: 3 }) });
    expect(conflicting.status).toBe(422);
    expect(await conflicting.json()).toMatchObject({ code: 'UNPROCESSABLE_CONTENT', message: expect.stringContaining('different request body'), data: { field: 'Idempotency-Key' } });

    await server.provisioner!.settled();
    await server.tick();
    const credentials = (await (await api(`/api/v1/sessions/${session.id}/credentials`)).json()) as { nodeToken: string; ssh: { privateKey: string | null } };
    expect(credentials.ssh.privateKey).toContain('PRIVATE KEY');
    expect((await api(`/api/v1/sessions/${session.id}/credentials`, { key: otherKey })).status).toBe(404);
    const heartbeat = { sessionId: session.id, sentAt: new Date().toISOString(), status: { ready: true, runningJobs: 0, maxGpuUtilizationPercent: null }, activity: {}, idle: { idle: false, idleSince: null, reason: 'busy' }, final: false };
    expect((await api(`/api/v1/sessions/${session.id}/heartbeat`, { method: 'POST', key: 'gsn_wrong', body: JSON.stringify(heartbeat) })).status).toBe(401);
    const answer = await api(`/api/v1/sessions/${session.id}/heartbeat`, { method: 'POST', key: credentials.nodeToken, body: JSON.stringify(heartbeat) });
    expect(await answer.json()).toMatchObject({ shutdown: false });
    expect(((await (await api(`/api/v1/sessions/${session.id}`)).json()) as { state: string }).state).toBe('ready');

    expect((await api(`/api/v1/sessions/${session.id}/done`, { method: 'POST', body: JSON.stringify({}) })).status).toBe(200);
    const stopping = await api(`/api/v1/sessions/${session.id}/heartbeat`, { method: 'POST', key: credentials.nodeToken, body: JSON.stringify(heartbeat) });
    expect(await stopping.json()).toMatchObject({ shutdown: true, shutdownReason: 'done' });
    await server.lifecycle!.advanceTeardowns(); // the agent is alive: teardown waits for its grace
    expect(((await (await api(`/api/v1/sessions/${session.id}`)).json()) as { state: string }).state).toBe('stopping');
    await api(`/api/v1/sessions/${session.id}`, { method: 'DELETE' }); // forcing cuts the grace short
    await server.lifecycle!.advanceTeardowns();
    const ended = (await (await api(`/api/v1/sessions/${session.id}`)).json()) as { state: string; endReason: string };
    expect(ended).toMatchObject({ state: 'terminated', endReason: 'done' });
  });

  it('keeps consumers apart: budgets of one are invisible and undeletable to another; admins see all', async () => {
    const created = (await (await api('/api/v1/budgets', { method: 'POST', body: JSON.stringify({ limitUsd: 50, period: 'month' }) })).json()) as { id: string };
    expect(((await (await api('/api/v1/budgets', { key: otherKey })).json()) as { budgets: unknown[] }).budgets).toEqual([]);
    expect((await api(`/api/v1/budgets/${created.id}`, { method: 'DELETE', key: otherKey })).status).toBe(404);
    expect(((await (await api('/api/v1/budgets', { key: ADMIN_KEY })).json()) as { budgets: unknown[] }).budgets).toHaveLength(1);
    expect((await api(`/api/v1/budgets/${created.id}`, { method: 'DELETE' })).status).toBe(200);
  });

  it('serves GET /api/v1/sessions/{id} as 404 for an unknown id and /costs for the caller', async () => {
    expect((await api('/api/v1/sessions/ses_missing')).status).toBe(404);
    const costs = (await (await api('/api/v1/costs?period=month')).json()) as { totalUsd: number };
    expect(costs.totalUsd).toBe(0);
  });

  it('publishes a valid OpenAPI 3 document and an interactive reference from local assets', async () => {
    const document = (await (await api('/api/v1/openapi.json', { key: null })).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/inventory', '/sessions', '/sessions/{id}', '/sessions/{id}/done', '/sessions/{id}/extend', '/costs', '/budgets', '/budgets/{id}']));
    const page = await (await api('/docs', { key: null })).text();
    expect(page).toContain('/api/v1/openapi.json');
    expect(page).not.toMatch(/https?:\/\/(?!127)/);
    const script = await api('/docs/assets/swagger-ui-bundle.js', { key: null });
    expect(script.status).toBe(200);
    expect((await script.text()).length).toBeGreaterThan(100_000);
    expect((await api('/docs/assets/..%2Fpackage.json', { key: null })).status).toBe(404);
  });

  it('serves Prometheus metrics to operators only', async () => {
    expect((await api('/metrics', { key: null })).status).toBe(401);
    expect((await api('/metrics')).status).toBe(403);
    const response = await api('/metrics', { key: ADMIN_KEY });
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toMatch(/^# TYPE gpu_shopper_\w+ (gauge|counter|histogram)$/m);
    expect(text).toContain('gpu_shopper_provider_api_calls_total{provider="vastai",operation="search_offers",outcome="ok"}');
  });

  it('writes a generated admin key to a 0600 file on first start without GPU_SHOPPER_ADMIN_KEY', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpu-shopper-bootstrap-'));
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', GPU_SHOPPER_DB: join(dir, 'db.sqlite') });
    const first = await startServer({ config, logger: silentLogger, adapters: [] });
    try {
      expect(first.admin).toEqual({ kind: 'generated', keyFile: join(dir, 'admin-key') });
      expect(statSync(join(dir, 'admin-key')).mode & 0o777).toBe(0o600);
      const key = readFileSync(join(dir, 'admin-key'), 'utf8').trim();
      const whoami = await fetch(`${first.url}/api/v1/whoami`, { headers: { authorization: `Bearer ${key}` } });
      expect(await whoami.json()).toMatchObject({ role: 'admin' });
    } finally {
      await first.close();
    }
    const second = await startServer({ config, logger: silentLogger, adapters: [] });
    expect(second.admin).toEqual({ kind: 'existing' });
    await second.close();
  });
});

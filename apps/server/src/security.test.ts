// Over HTTP: budgets an operator set bind their consumer (403), keys expire and rotate (401 saying
// why), and the audit log of operator actions is for operators only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@gpu-shopper/domain';
import { loadConfig } from './config';
import { silentLogger } from './logger';
import { startServer, type RunningServer } from './start';

const ADMIN_KEY = 'security-admin-key-0123456789';

describe('security over REST', () => {
  let server: RunningServer;
  const clock = new ManualClock('2026-03-01T10:00:00.000Z');
  let atlasKey: string;

  const api = (path: string, init: RequestInit & { key?: string | null } = {}) => {
    const headers = new Headers(init.headers);
    const key = init.key === undefined ? atlasKey : init.key;
    if (key !== null) headers.set('authorization', `Bearer ${key}`);
    if (init.body !== undefined) headers.set('content-type', 'application/json');
    return fetch(`${server.url}/api/v1${path}`, { ...init, headers });
  };
  const post = (path: string, body: object, key?: string) => api(path, { method: 'POST', body: JSON.stringify(body), key });
  const createKey = async (body: object) => (await (await post('/admin/keys', body, ADMIN_KEY)).json()) as { key: string; apiKey: { id: string; expiresAt: string | null } };

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpu-shopper-security-'));
    server = await startServer({
      config: loadConfig({ PORT: '0', HOST: '127.0.0.1', GPU_SHOPPER_DB: join(dir, 'db.sqlite'), GPU_SHOPPER_ADMIN_KEY: ADMIN_KEY }),
      clock,
      logger: silentLogger,
      adapters: [],
      runLifecycle: false,
    });
    atlasKey = (await createKey({ consumer: 'atlas' })).key;
  });
  afterAll(() => server?.close());

  it('answers 403 naming why when a consumer deletes or overwrites a budget an operator set', async () => {
    const imposed = (await (await post('/budgets', { consumer: 'atlas', limitUsd: 20, period: 'day', action: 'shutdown' }, ADMIN_KEY)).json()) as { id: string; setBy: string };
    expect(imposed.setBy).toBe('operator');
    expect(((await (await api('/budgets')).json()) as { budgets: { id: string; setBy: string }[] }).budgets).toEqual([expect.objectContaining({ id: imposed.id, setBy: 'operator' })]);

    const deleted = await api(`/budgets/${imposed.id}`, { method: 'DELETE' });
    expect(deleted.status).toBe(403);
    expect(await deleted.json()).toMatchObject({ code: 'FORBIDDEN', message: `budget ${imposed.id} (day) was set by an operator: a consumer key can read it but cannot delete it; ask an operator` });
    const overwritten = await post('/budgets', { limitUsd: 1_000_000, period: 'day' });
    expect(overwritten.status).toBe(403);
    expect(await overwritten.json()).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('cannot change it') });

    // The consumer's own budget is its own: set twice is one budget, and it may delete it.
    const own = (await (await post('/budgets', { limitUsd: 50, period: 'month' })).json()) as { id: string; created: boolean };
    expect(own.created).toBe(true);
    expect(await (await post('/budgets', { limitUsd: 60, period: 'month' })).json()).toMatchObject({ id: own.id, limitUsd: 60, created: false });
    expect((await api(`/budgets/${own.id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await api(`/budgets/${imposed.id}`, { method: 'DELETE', key: ADMIN_KEY })).status).toBe(200);
  });

  it('answers 401 saying the key expired, once past its expiry', async () => {
    const created = await createKey({ consumer: 'expiring', expiresAt: '2026-03-01T12:00:00Z' });
    expect(created.apiKey.expiresAt).toBe('2026-03-01T12:00:00.000Z');
    expect((await api('/whoami', { key: created.key })).status).toBe(200);
    clock.set('2026-03-01T12:00:00.000Z');
    const refused = await api('/whoami', { key: created.key });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringContaining('expired at 2026-03-01T12:00:00.000Z') });
  });

  it('rotates a key: the new secret works, the old one gets 401; consumers may not rotate', async () => {
    const created = await createKey({ consumer: 'rotating' });
    const rotated = await post(`/admin/keys/${created.apiKey.id}/rotate`, {}, ADMIN_KEY);
    expect(rotated.status).toBe(200);
    const body = (await rotated.json()) as { key: string; apiKey: { id: string } };
    expect(body.apiKey.id).toBe(created.apiKey.id);
    expect(await (await api('/whoami', { key: body.key })).json()).toMatchObject({ keyId: created.apiKey.id, consumerName: 'rotating' });
    const old = await api('/whoami', { key: created.key });
    expect(old.status).toBe(401);
    expect(await old.json()).toMatchObject({ message: expect.stringContaining('rotated') });
    expect((await post(`/admin/keys/${created.apiKey.id}/rotate`, {})).status).toBe(403);
  });

  it('serves the audit log to operators only, filtered and paged', async () => {
    expect((await api('/audit')).status).toBe(403);
    expect((await api('/audit', { key: null })).status).toBe(401);
    const page = await api('/audit?action=key.created&limit=1', { key: ADMIN_KEY });
    expect(page.status).toBe(200);
    const body = (await page.json()) as { events: { action: string; target: string; actorKeyId: string }[]; nextCursor: number | null };
    expect(body.events).toEqual([expect.objectContaining({ action: 'key.created', target: expect.stringMatching(/^key_/) })]);
    expect(body.nextCursor).not.toBeNull();
    const next = (await (await api(`/audit?action=key.created&limit=1&cursor=${body.nextCursor}`, { key: ADMIN_KEY })).json()) as { events: unknown[]; nextCursor: number | null };
    expect(next.events).toHaveLength(1);
    const all = (await (await api('/audit', { key: ADMIN_KEY })).json()) as { events: { action: string }[] };
    expect(new Set(all.events.map((event) => event.action))).toEqual(new Set(['key.created', 'key.rotated', 'budget.set', 'budget.deleted']));
    expect((await api('/audit?since=yesterday', { key: ADMIN_KEY })).status).toBe(400);
  });
});

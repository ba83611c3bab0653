// The SDK against a real server over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, silentLogger, startServer, type RunningServer } from '@gpu-shopper/server';
import { makeOffer, ScriptedAdapter } from '@gpu-shopper/services/test-support';
import { createShopperClient, describeShopperError, SessionNotReadyError, waitForReady, type SessionDetail } from './index';

const ADMIN_KEY = 'sdk-test-admin-key-000000';

describe('SDK over HTTP', () => {
  let server: RunningServer;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpu-shopper-sdk-'));
    const adapter = new ScriptedAdapter('vastai', [makeOffer({ id: 'vastai:1', pricePerHourUsd: 0.3 }), makeOffer({ id: 'vastai:2', gpuModel: 'H100 SXM', pricePerHourUsd: 2.5 })]);
    server = await startServer({ config: loadConfig({ PORT: '0', HOST: '127.0.0.1', GPU_SHOPPER_DB: join(dir, 'db.sqlite'), GPU_SHOPPER_ADMIN_KEY: ADMIN_KEY }), logger: silentLogger, adapters: [adapter] });
  });
  afterAll(() => server?.close());

  it('creates a key as operator, then searches inventory as that consumer with typed results', async () => {
    const admin = createShopperClient({ url: server.url, apiKey: ADMIN_KEY });
    const { key } = await admin.admin.createKey.mutate({ consumer: 'atlas' });
    const client = createShopperClient({ url: `${server.url}/`, apiKey: key });
    const menu = await client.inventory.search.query({ gpu: '4090' });
    expect(menu.offers.map((offer) => offer.id)).toEqual(['vastai:1']);
    const me = await client.admin.whoami.query({});
    expect(me).toMatchObject({ role: 'consumer', consumerName: 'atlas' });
  });

  it('sends the key through an injected fetch', async () => {
    const seen: string[] = [];
    const client = createShopperClient({
      url: server.url,
      apiKey: ADMIN_KEY,
      fetch: (input, init) => {
        seen.push(new Headers(init?.headers).get('authorization') ?? '');
        return fetch(input, init);
      },
    });
    await client.admin.listKeys.query({});
    expect(seen).toEqual([`Bearer ${ADMIN_KEY}`]);
  });

  it('describes errors: 401, a bad field, an unreachable server', async () => {
    const bad = createShopperClient({ url: server.url, apiKey: 'gsc_nope' });
    const unauthorized = await bad.inventory.search.query({}).catch(describeShopperError);
    expect(unauthorized).toMatchObject({ code: 'UNAUTHORIZED', httpStatus: 401 });

    const admin = createShopperClient({ url: server.url, apiKey: ADMIN_KEY });
    const invalid = await admin.budgets.create.mutate({ limitUsd: -5, period: 'day' }).catch(describeShopperError);
    expect(invalid).toMatchObject({ code: 'BAD_REQUEST', field: 'limitUsd' });

    const nowhere = createShopperClient({ url: 'http://127.0.0.1:9', apiKey: ADMIN_KEY });
    expect(await nowhere.inventory.search.query({}).catch(describeShopperError)).toMatchObject({ code: 'UNREACHABLE' });
  });

  it('waits for a session to become ready, reporting progress, and rejects one that fails', async () => {
    const states = ['provisioning', 'provisioning', 'ready'];
    const fake = { sessions: { get: { query: async () => ({ id: 'ses_1', state: states.shift() ?? 'ready', failureReason: null }) as unknown as SessionDetail } } };
    const seen: string[] = [];
    const ready = await waitForReady(fake, 'ses_1', { pollIntervalMs: 1, onProgress: (session) => seen.push(session.state) });
    expect(ready.state).toBe('ready');
    expect(seen).toEqual(['provisioning', 'provisioning', 'ready']);

    const failing = { sessions: { get: { query: async () => ({ id: 'ses_2', state: 'failed', failureReason: 'no offer could be rented' }) as unknown as SessionDetail } } };
    await expect(waitForReady(failing, 'ses_2', { pollIntervalMs: 1 })).rejects.toThrow(SessionNotReadyError);
    await expect(waitForReady(failing, 'ses_2', { pollIntervalMs: 1 })).rejects.toThrow('no offer could be rented');
  });
});

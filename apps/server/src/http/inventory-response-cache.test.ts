// The inventory micro-cache: hits only for verified keys and an unchanged menu.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, MS_PER_SECOND } from '@gpu-shopper/domain';
import { makeOffer, ScriptedAdapter } from '@gpu-shopper/services/test-support';
import { loadConfig } from '../config';
import { silentLogger } from '../logger';
import { startServer, type RunningServer } from '../start';

const ADMIN_KEY = 'cache-test-admin-key-0000';

describe('inventory response cache', () => {
  let server: RunningServer;
  let adapter: ScriptedAdapter;
  const clock = new ManualClock('2026-05-01T00:00:00Z');
  const get = (path: string, key = ADMIN_KEY) => fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${key}` } });

  beforeAll(async () => {
    adapter = new ScriptedAdapter('vastai', [makeOffer({ id: 'vastai:1' })]);
    server = await startServer({ config: loadConfig({ PORT: '0', HOST: '127.0.0.1', GPU_SHOPPER_DB: ':memory:', GPU_SHOPPER_ADMIN_KEY: ADMIN_KEY }), logger: silentLogger, clock, adapters: [adapter] });
  });
  afterAll(() => server?.close());

  it('serves repeated identical searches from the cache, REST and tRPC alike, with identical bodies', async () => {
    for (const path of ['/api/v1/inventory?gpu=4090', `/trpc/inventory.search?input=${encodeURIComponent('{"gpu":"4090"}')}`]) {
      const first = await get(path);
      const firstBody = await first.text();
      const stored = await get(path);
      const hit = await get(path);
      expect(hit.headers.get('x-inventory-cache')).toBe('hit');
      expect(hit.headers.get('content-type')).toMatch(/^application\/json/);
      // Uncached (the menu was being fetched), stored and served: the same headers and bytes.
      expect([stored.headers.get('content-type'), hit.headers.get('content-type')]).toEqual([first.headers.get('content-type'), first.headers.get('content-type')]);
      expect(await stored.text()).toBe(firstBody);
      expect(await hit.text()).toBe(firstBody);
    }
  });

  it('never serves a cached answer to a bad key', async () => {
    const response = await get('/api/v1/inventory?gpu=4090', 'gsc_bogus');
    expect(response.status).toBe(401);
  });

  it('goes back to the providers once the offers are due, and serves the new menu', async () => {
    adapter.next = [makeOffer({ id: 'vastai:2' })];
    clock.advance(61 * MS_PER_SECOND);
    const response = await get('/api/v1/inventory?gpu=4090');
    expect(response.headers.get('x-inventory-cache')).toBeNull();
    expect(((await response.json()) as { offers: { id: string }[] }).offers.map((o) => o.id)).toEqual(['vastai:2']);
  });
});

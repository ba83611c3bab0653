import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock, MS_PER_MINUTE, MS_PER_SECOND, OfferSchema } from '@gpu-shopper/domain';
import { ProviderUnavailableError, RateLimitedError } from '@gpu-shopper/providers';
import { makeOffer, ScriptedAdapter } from '../test-support/offers';
import { InventoryService } from './inventory-service';
import { joinJson } from './offer-json';

describe('InventoryService', () => {
  let clock: ManualClock;
  let vast: ScriptedAdapter;
  let tensordock: ScriptedAdapter;
  let inventory: InventoryService;

  beforeEach(() => {
    clock = new ManualClock();
    vast = new ScriptedAdapter('vastai', [
      makeOffer({ id: 'vastai:1', gpuModel: 'RTX 4090', pricePerHourUsd: 0.45, reliability: 0.95, region: 'Texas', country: 'US' }),
      makeOffer({ id: 'vastai:2', gpuModel: 'H100 SXM', vramGbPerGpu: 80, gpuCount: 8, pricePerHourUsd: 19.9, reliability: 0.999, region: 'Quebec', country: 'CA' }),
      makeOffer({ id: 'vastai:3', gpuModel: 'RTX 3090', pricePerHourUsd: 0.2, reliability: 0.8, region: 'Bavaria', country: 'DE' }),
      makeOffer({ id: 'vastai:4', gpuModel: 'A100 80GB', vramGbPerGpu: 80, gpuCount: 2, pricePerHourUsd: 2.1, reliability: null, region: null, country: 'US' }),
    ]);
    tensordock = new ScriptedAdapter('tensordock', [
      makeOffer({ id: 'tensordock:a', provider: 'tensordock', gpuModel: 'RTX 4090', vramGbPerGpu: 24, pricePerHourUsd: 0.38, reliability: null, region: 'Chubbuck, Idaho', country: 'US' }),
    ]);
    inventory = new InventoryService({ adapters: [vast, tensordock], clock });
  });

  const ids = async (filter: Parameters<InventoryService['search']>[0]) => (await inventory.search(filter)).offers.map((o) => o.id);

  it('merges providers and sorts by all-in price by default', async () => {
    expect(await ids({})).toEqual(['vastai:3', 'tensordock:a', 'vastai:1', 'vastai:4', 'vastai:2']);
  });

  it('applies each filter to every provider', async () => {
    expect(await ids({ gpu: '4090' })).toEqual(['tensordock:a', 'vastai:1']);
    expect(await ids({ gpu: 'rtx-4090' })).toEqual(['tensordock:a', 'vastai:1']);
    expect(await ids({ minVramGb: 80 })).toEqual(['vastai:4', 'vastai:2']);
    expect(await ids({ maxPricePerHourUsd: 0.4 })).toEqual(['vastai:3', 'tensordock:a']);
    expect(await ids({ provider: 'tensordock' })).toEqual(['tensordock:a']);
    expect(await ids({ region: 'us' })).toEqual(['tensordock:a', 'vastai:1', 'vastai:4']);
    expect(await ids({ region: 'idaho' })).toEqual(['tensordock:a']);
    expect(await ids({ minReliability: 0.9 })).toEqual(['vastai:1', 'vastai:2']);
    expect(await ids({ minGpus: 2 })).toEqual(['vastai:4', 'vastai:2']);
    expect(await ids({ sort: 'reliability' })).toEqual(['vastai:2', 'vastai:1', 'vastai:3', 'tensordock:a', 'vastai:4']);
    expect(await ids({ sort: 'vram' })).toEqual(['vastai:2', 'vastai:4', 'vastai:3', 'tensordock:a', 'vastai:1']);
    expect(await ids({ limit: 2 })).toEqual(['vastai:3', 'tensordock:a']);
  });

  it('asks each provider once per TTL and again after 60 s', async () => {
    await inventory.search({});
    await inventory.search({ gpu: '4090' });
    clock.advance(59 * MS_PER_SECOND);
    await inventory.search({});
    expect(vast.calls).toHaveLength(1);
    clock.advance(2 * MS_PER_SECOND);
    await inventory.search({});
    expect(vast.calls).toHaveLength(2);
  });

  it('shares one fetch between concurrent requests', async () => {
    await Promise.all([inventory.search({}), inventory.search({ gpu: 'h100' }), inventory.search({})]);
    expect(vast.calls).toHaveLength(1);
  });

  it('backs off for 5 minutes after a 429, serving the last good offers, then recovers to 60 s', async () => {
    await inventory.search({});
    clock.advance(61 * MS_PER_SECOND);
    vast.next = new RateLimitedError('vastai', 'too many requests');
    const limited = await inventory.search({ provider: 'vastai' });
    expect(limited.offers).toHaveLength(4);
    expect(limited.offers.every((o) => o.stale)).toBe(true);
    expect(limited.providers.find((p) => p.provider === 'vastai')).toMatchObject({ status: 'stale', rateLimited: true });

    vast.next = [makeOffer({ id: 'vastai:9' })];
    clock.advance(4 * MS_PER_MINUTE);
    await inventory.search({});
    expect(vast.calls).toHaveLength(2); // still inside the 5-minute back-off
    clock.advance(MS_PER_MINUTE + MS_PER_SECOND);
    expect(await ids({ provider: 'vastai' })).toEqual(['vastai:9']);
    expect(vast.calls).toHaveLength(3);
    clock.advance(61 * MS_PER_SECOND);
    await inventory.search({});
    expect(vast.calls).toHaveLength(4); // back to the 60 s TTL
  });

  it('keeps the other providers and the failing one’s last offers when a provider is down', async () => {
    await inventory.search({});
    clock.advance(61 * MS_PER_SECOND);
    vast.next = new ProviderUnavailableError('vastai', 'HTTP 503');
    const menu = await inventory.search({});
    expect(menu.offers.map((o) => o.id)).toContain('tensordock:a');
    expect(menu.offers.filter((o) => o.provider === 'vastai')).toHaveLength(4);
    expect(menu.offers.filter((o) => o.provider === 'vastai').every((o) => o.stale)).toBe(true);
    expect(menu.offers.find((o) => o.provider === 'tensordock')?.stale).toBe(false);
    expect(menu.providers.find((p) => p.provider === 'vastai')).toMatchObject({ status: 'stale', error: 'vastai: HTTP 503' });
  });

  it('serves the other providers when one was never reachable', async () => {
    vast.next = new ProviderUnavailableError('vastai', 'connection refused');
    const menu = await inventory.search({});
    expect(menu.offers.map((o) => o.id)).toEqual(['tensordock:a']);
    expect(menu.providers.find((p) => p.provider === 'vastai')?.status).toBe('empty');
  });

  it('asks a provider that never answered again within seconds (doubling), one that did after 15 s', async () => {
    const refusing = new ProviderUnavailableError('vastai', 'HTTP 500');
    const offers = vast.next;
    const callsAfter = async (advanceMs: number, failing: boolean) => {
      vast.next = failing ? refusing : offers;
      clock.advance(advanceMs);
      await inventory.search({});
      return vast.calls.length;
    };
    expect(await callsAfter(0, true)).toBe(1);
    expect(await callsAfter(900, true)).toBe(1); // 1 s after the first failure
    expect(await callsAfter(100, true)).toBe(2);
    expect(await callsAfter(1_900, true)).toBe(2); // then 2 s
    expect(await callsAfter(100, true)).toBe(3);
    for (let failures = 3; failures < 8; failures++) await callsAfter(15 * MS_PER_SECOND, true);
    const before = vast.calls.length;
    expect(await callsAfter(14 * MS_PER_SECOND, true)).toBe(before); // capped at 15 s
    expect(await callsAfter(MS_PER_SECOND, false)).toBe(before + 1);
    expect((await inventory.search({ provider: 'vastai' })).offers).toHaveLength(4);
    // With offers to serve (stale), a failing provider is asked every 15 s, not sooner.
    expect(await callsAfter(61 * MS_PER_SECOND, true)).toBe(before + 2);
    expect(await callsAfter(14 * MS_PER_SECOND, true)).toBe(before + 2);
    expect(await callsAfter(MS_PER_SECOND, false)).toBe(before + 3);
  });

  it('finds an offer by id', async () => {
    expect((await inventory.findOffer('vastai:2'))?.gpuModel).toBe('H100 SXM');
    expect(await inventory.findOffer('vastai:nope')).toBeNull();
  });

  it('writes the menu as JSON in the schema’s field order, whatever order the adapter built', async () => {
    for (const filter of [{}, { gpu: '4090', limit: 1 }, { sort: 'vram' as const }, { provider: 'tensordock' as const }]) {
      const text = (await inventory.searchJson(filter)).toString();
      const menu = await inventory.search(filter);
      expect(text).toBe(JSON.stringify({ offers: menu.offers.map((offer) => OfferSchema.parse(offer)), providers: menu.providers }));
    }
    const [first] = (JSON.parse((await inventory.searchJson({})).toString()) as { offers: object[] }).offers;
    expect(Object.keys(first!)).toEqual(Object.keys(OfferSchema.shape));
  });

  it('writes the same JSON without waiting once no fetch the filter needs is due, and nothing before', async () => {
    expect(inventory.searchJsonNow({ gpu: '4090' })).toBeNull();
    await inventory.searchJson({ provider: 'vastai' });
    // TensorDock was never fetched: a search of every provider still has to wait, one of Vast's need not.
    expect(inventory.searchJsonNow({})).toBeNull();
    const now = (filter: Parameters<InventoryService['searchJsonNow']>[0]) => {
      const json = inventory.searchJsonNow(filter);
      return json === null ? null : joinJson(json).toString();
    };
    expect(now({ provider: 'vastai' })).toBe((await inventory.searchJson({ provider: 'vastai' })).toString());
    await inventory.searchJson({});
    expect(now({ gpu: '4090' })).toBe((await inventory.searchJson({ gpu: '4090' })).toString());
    clock.advance(61 * MS_PER_SECOND);
    expect(inventory.searchJsonNow({ gpu: '4090' })).toBeNull();
  });

  it('refuses to write an offer the API could not describe', async () => {
    vast.next = [makeOffer({ id: 'vastai:bad', pricePerHourUsd: -1 })];
    await expect(inventory.searchJson({})).rejects.toThrow(/pricePerHourUsd/);
    expect((await inventory.searchJson({ provider: 'tensordock' })).length).toBeGreaterThan(0);
  });

  it('remembers a query’s selection until the offers change, unless query caches are off', async () => {
    const first = await inventory.search({ gpu: '4090' });
    expect((await inventory.search({ gpu: '4090' })).offers).toBe(first.offers);
    expect(inventory.servingVersion()).not.toBeNull();
    inventory.withdrawOffer({ id: 'vastai:1', provider: 'vastai' });
    expect(await ids({ gpu: '4090' })).toEqual(['tensordock:a']);

    inventory.disableQueryCaches();
    const [a, b] = [await inventory.search({ gpu: '4090' }), await inventory.search({ gpu: '4090' })];
    expect(a.offers).not.toBe(b.offers);
    expect(a.offers).toEqual(b.offers);
    expect(inventory.servingVersion()).toBeNull();
    expect(await ids({})).toEqual(['vastai:3', 'tensordock:a', 'vastai:4', 'vastai:2']);
  });

  it('starts a provider over when its adapter is replaced', async () => {
    await inventory.search({});
    inventory.replaceAdapter(new ScriptedAdapter('vastai', [makeOffer({ id: 'vastai:new' })]));
    expect(await ids({ provider: 'vastai' })).toEqual(['vastai:new']);
    // The new cache's generation count starts again: the menu sorted before must not come back.
    expect(await ids({})).toEqual(['tensordock:a', 'vastai:new']);
    expect(inventory.providerNames()).toEqual(['tensordock', 'vastai']);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProviderUnavailableError } from '@gpu-shopper/providers';
import { makeOffer, ScriptedAdapter } from '@gpu-shopper/services/test-support';
import { createHarness, type Harness } from '../../test-support/harness';

describe('inventory router', () => {
  let h: Harness;
  let vast: ScriptedAdapter;
  beforeEach(async () => {
    vast = new ScriptedAdapter('vastai', [
      makeOffer({ id: 'vastai:1', gpuModel: 'RTX 4090', pricePerHourUsd: 0.45 }),
      makeOffer({ id: 'vastai:2', gpuModel: 'RTX 4090', pricePerHourUsd: 0.62, country: 'DE', region: 'Bavaria' }),
      makeOffer({ id: 'vastai:3', gpuModel: 'H100 SXM', vramGbPerGpu: 80, pricePerHourUsd: 2.4, gpuCount: 2 }),
    ]);
    const tensordock = new ScriptedAdapter('tensordock', [makeOffer({ id: 'tensordock:x', provider: 'tensordock', gpuModel: 'RTX 4090', pricePerHourUsd: 0.41 })]);
    h = await createHarness({ adapters: [vast, tensordock] });
  });
  afterEach(() => h.close());

  it('maps the REST-style query to filters and returns offers with provider status', async () => {
    const menu = await h.as(h.keys.atlas!).inventory.search({ gpu: '4090', max_price: 0.5 });
    expect(menu.offers.map((o) => o.id)).toEqual(['tensordock:x', 'vastai:1']);
    expect(menu.providers.map((p) => [p.provider, p.status])).toEqual([
      ['vastai', 'fresh'],
      ['tensordock', 'fresh'],
    ]);
  });

  it('supports every filter', async () => {
    const search = h.as(h.keys.atlas!).inventory.search;
    expect((await search({ min_vram: 48 })).offers.map((o) => o.id)).toEqual(['vastai:3']);
    expect((await search({ provider: 'tensordock' })).offers.map((o) => o.id)).toEqual(['tensordock:x']);
    expect((await search({ region: 'DE' })).offers.map((o) => o.id)).toEqual(['vastai:2']);
    expect((await search({ min_gpus: 2 })).offers.map((o) => o.id)).toEqual(['vastai:3']);
    expect((await search({ min_reliability: 0.995 })).offers).toEqual([]);
    expect((await search({ sort: 'vram', limit: 1 })).offers.map((o) => o.id)).toEqual(['vastai:3']);
  });

  it('keeps serving the other provider when one fails', async () => {
    vast.next = new ProviderUnavailableError('vastai', 'HTTP 502');
    const menu = await h.as(h.keys.atlas!).inventory.search({});
    expect(menu.offers.map((o) => o.id)).toEqual(['tensordock:x']);
    expect(menu.providers[0]).toMatchObject({ provider: 'vastai', status: 'empty', error: 'vastai: HTTP 502' });
  });

  it('rejects bad filters naming the field', async () => {
    await expect(h.as(h.keys.atlas!).inventory.search({ max_price: -1 })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('max_price') });
    // @ts-expect-error an unknown sort order
    await expect(h.as(h.keys.atlas!).inventory.search({ sort: 'cheapest' })).rejects.toMatchObject({ message: expect.stringContaining('sort') });
  });

  it('needs a key', async () => {
    await expect(h.as(null).inventory.search({})).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });
});

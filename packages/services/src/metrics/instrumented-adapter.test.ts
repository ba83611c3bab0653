import { describe, expect, it } from 'vitest';
import type { ProviderAdapter } from '@gpu-shopper/providers';
import { ProviderUnavailableError } from '@gpu-shopper/providers';
import { instrumentAdapter } from './instrumented-adapter';
import { ProviderCallMetrics } from './provider-call-metrics';

describe('instrumentAdapter', () => {
  it('counts and times every call, passing results and errors through', async () => {
    const inner = {
      name: 'vastai',
      searchOffers: async () => [],
      listInstances: async () => {
        throw new ProviderUnavailableError('vastai', 'HTTP 503');
      },
    } as unknown as ProviderAdapter;
    const metrics = new ProviderCallMetrics();
    const adapter = instrumentAdapter(inner, metrics);
    expect(await adapter.searchOffers({ diskGb: 10 })).toEqual([]);
    await expect(adapter.listInstances()).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(adapter.describeBilling).toBeUndefined();
    const calls = metrics.families().find((family) => family.name.includes('calls'));
    expect(calls?.samples).toEqual(
      expect.arrayContaining([
        { labels: { provider: 'vastai', operation: 'search_offers', outcome: 'ok' }, value: 1 },
        { labels: { provider: 'vastai', operation: 'list_instances', outcome: 'error' }, value: 1 },
      ]),
    );
  });
});

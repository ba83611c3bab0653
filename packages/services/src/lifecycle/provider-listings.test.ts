// Each provider's listing is fetched on its own, shared by concurrent callers, and dated when its
// request really left (after our request budget let it go), not when it was asked for.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '@gpu-shopper/domain';
import type { ListCallOptions, ProviderAdapter, ProviderInstance } from '@gpu-shopper/providers';
import type { EntityManager } from '@gpu-shopper/db';
import { ProviderRegistry } from '../provider-registry';
import { ProviderListingSource } from './provider-listings';

function listingAdapter(name: 'vastai' | 'tensordock', list: (options?: ListCallOptions) => Promise<ProviderInstance[]>): ProviderAdapter {
  const unused = () => Promise.reject(new Error('not used'));
  return { name, listInstances: list, searchOffers: unused, createInstance: unused, getInstance: unused, destroyInstance: unused, stopInstance: unused, startInstance: unused };
}

function source(clock: ManualClock, adapters: ProviderAdapter[]): ProviderListingSource {
  return new ProviderListingSource({ providers: new ProviderRegistry(adapters), clock, alerts: { raise: () => Promise.reject(new Error('no alert expected')) }, em: () => ({}) as EntityManager, alertAfterFailures: 3 });
}

describe('provider listings', () => {
  it('dates a listing when its request left, after our request budget held it and a refused attempt was retried', async () => {
    const clock = new ManualClock('2026-04-01T08:00:00.000Z');
    const askedAt = clock.now();
    const listings = source(clock, [
      listingAdapter('tensordock', async (options) => {
        clock.advance(4_000); // the request budget holds it (a 429 paused it)
        options?.observer?.sent();
        options?.observer?.refused(); // 429 again
        clock.advance(1_000);
        options?.observer?.sent();
        clock.advance(300); // the answer takes a while
        return [];
      }),
    ]);
    const listing = (await listings.fetchProvider('tensordock')).listing('tensordock');
    expect(listing.kind).toBe('listed');
    if (listing.kind !== 'listed') return;
    expect(listing.observedAt.getTime() - askedAt.getTime()).toBe(5_000);
    expect(listing.answeredAt.getTime() - askedAt.getTime()).toBe(5_300);
  });

  it('fetches one provider without waiting for the other, and shares a listing being fetched', async () => {
    const clock = new ManualClock('2026-04-01T08:00:00.000Z');
    let vastCalls = 0;
    let releaseVast: () => void = () => {};
    const listings = source(clock, [
      listingAdapter('vastai', async () => {
        vastCalls += 1;
        await new Promise<void>((resolve) => (releaseVast = resolve));
        return [];
      }),
      listingAdapter('tensordock', async () => []),
    ]);
    const vast = listings.fetchProvider('vastai');
    const everything = listings.fetch(); // shares the Vast listing in flight
    const tensordock = await listings.fetchProvider('tensordock');
    expect(tensordock.listing('tensordock').kind).toBe('listed');
    expect(tensordock.listing('vastai').kind).toBe('failed'); // not part of this view: read as unknown
    releaseVast();
    expect((await vast).listing('vastai').kind).toBe('listed');
    expect((await everything).listing('vastai').kind).toBe('listed');
    expect(vastCalls).toBe(1);
    // The last known listings, without asking anyone.
    expect(listings.lastKnown().listing('tensordock').kind).toBe('listed');
  });
});

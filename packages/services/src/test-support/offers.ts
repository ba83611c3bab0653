// Builders for offers and fake adapters used by service and router tests.
import type { Offer, ProviderName } from '@gpu-shopper/domain';
import type { OfferSearch } from '@gpu-shopper/providers';
import type { OfferSource } from '../inventory/inventory-service';

export function makeOffer(overrides: Partial<Offer> & { id: string }): Offer {
  return {
    provider: 'vastai',
    providerOfferId: overrides.id.split(':').at(-1) ?? overrides.id,
    gpuModel: 'RTX 4090',
    providerGpuName: 'RTX 4090',
    gpuCount: 1,
    vramGbPerGpu: 24,
    pricePerHourUsd: 0.4,
    priceBreakdown: { computePerHourUsd: 0.39, storagePerHourUsd: 0.01 },
    region: 'Texas',
    country: 'US',
    reliability: 0.99,
    availableForHours: 100,
    cpuCores: 16,
    ramGb: 64,
    diskGb: 50,
    verified: true,
    fetchedAt: '2026-01-01T00:00:00.000Z',
    stale: false,
    ...overrides,
  };
}

/** An adapter whose answers a test scripts: offers, or an error to throw. */
export class ScriptedAdapter implements OfferSource {
  calls: OfferSearch[] = [];
  next: Offer[] | Error;

  constructor(
    readonly name: ProviderName,
    offers: Offer[],
  ) {
    this.next = offers;
  }

  async searchOffers(search: OfferSearch): Promise<Offer[]> {
    this.calls.push(search);
    if (this.next instanceof Error) throw this.next;
    return this.next;
  }
}

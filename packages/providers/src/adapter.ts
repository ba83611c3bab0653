// The one interface every GPU marketplace is reached through. Services only ever see this.
import type { Offer, ProviderName } from '@gpu-shopper/domain';

/** What the inventory asks a provider for. Narrowing here is an optimisation: the inventory filters again. */
export interface OfferSearch {
  /** Disk to price into the all-in $/h. */
  diskGb: number;
  gpu?: string;
  maxPricePerHourUsd?: number;
  minGpus?: number;
  /** Cap on offers returned (providers may return fewer). */
  limit?: number;
}

export interface ProviderAdapter {
  readonly name: ProviderName;
  searchOffers(search: OfferSearch): Promise<Offer[]>;
}

// The menu's filters and sort orders, applied on our side so that every filter works the same
// for every provider, whatever the provider's own search supports.
import { gpuModelMatches } from './gpu-model';
import type { Offer, OfferFilter, OfferSort } from './offer';

/** "24 GB" cards report 23.99 or 24.56 depending on the provider's unit: allow a few percent. */
export const VRAM_TOLERANCE = 0.03;

export function offerMatches(offer: Offer, filter: OfferFilter): boolean {
  if (filter.provider !== undefined && offer.provider !== filter.provider) return false;
  if (filter.gpu !== undefined && !gpuModelMatches(filter.gpu, offer.gpuModel)) return false;
  if (filter.minVramGb !== undefined && offer.vramGbPerGpu < filter.minVramGb * (1 - VRAM_TOLERANCE)) return false;
  if (filter.maxPricePerHourUsd !== undefined && offer.pricePerHourUsd > filter.maxPricePerHourUsd) return false;
  if (filter.minGpus !== undefined && offer.gpuCount < filter.minGpus) return false;
  if (filter.minReliability !== undefined && (offer.reliability ?? 0) < filter.minReliability) return false;
  if (filter.region !== undefined && !regionMatches(filter.region, offer)) return false;
  return true;
}

function regionMatches(query: string, offer: Offer): boolean {
  const needle = query.trim().toLowerCase();
  if (needle === '') return true;
  if (offer.country !== null && offer.country.toLowerCase() === needle) return true;
  return offer.region !== null && offer.region.toLowerCase().includes(needle);
}

const COMPARATORS: Record<OfferSort, (a: Offer, b: Offer) => number> = {
  price: (a, b) => a.pricePerHourUsd - b.pricePerHourUsd,
  reliability: (a, b) => (b.reliability ?? -1) - (a.reliability ?? -1) || a.pricePerHourUsd - b.pricePerHourUsd,
  vram: (a, b) => b.vramGbPerGpu * b.gpuCount - a.vramGbPerGpu * a.gpuCount || a.pricePerHourUsd - b.pricePerHourUsd,
};

/** Filters, sorts (price by default; ties broken by id so results are stable) and limits. */
export function selectOffers(offers: readonly Offer[], filter: OfferFilter): Offer[] {
  const compare = COMPARATORS[filter.sort ?? 'price'];
  const selected = offers.filter((offer) => offerMatches(offer, filter));
  selected.sort((a, b) => compare(a, b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return filter.limit === undefined ? selected : selected.slice(0, filter.limit);
}

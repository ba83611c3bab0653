// The menu's filters and sort orders, applied on our side so that every filter works the same
// for every provider, whatever the provider's own search supports. A filter is compiled once per
// search (the GPU query normalized once, each model name judged once), then run over every offer.
import { compileGpuQuery, compileGpuQueryOnce } from './gpu-model';
import type { Offer, OfferFilter, OfferSort } from './offer';

/** "24 GB" cards report 23.99 or 24.56 depending on the provider's unit: allow a few percent. */
export const VRAM_TOLERANCE = 0.03;

/** Whether an offer passes a filter compiled by compileOfferFilter. */
export type OfferPredicate = (offer: Offer) => boolean;

/** Compiles a filter once, for testing many offers against it. */
export function compileOfferFilter(filter: OfferFilter): OfferPredicate {
  const { provider, maxPricePerHourUsd, minGpus, minReliability } = filter;
  const gpu = filter.gpu === undefined ? null : compileGpuQuery(filter.gpu);
  const minVramGbPerGpu = filter.minVramGb === undefined ? undefined : filter.minVramGb * (1 - VRAM_TOLERANCE);
  const region = filter.region === undefined ? null : compileRegionQuery(filter.region);
  return (offer) =>
    (provider === undefined || offer.provider === provider) &&
    (maxPricePerHourUsd === undefined || offer.pricePerHourUsd <= maxPricePerHourUsd) &&
    (minGpus === undefined || offer.gpuCount >= minGpus) &&
    (minVramGbPerGpu === undefined || offer.vramGbPerGpu >= minVramGbPerGpu) &&
    (minReliability === undefined || (offer.reliability ?? 0) >= minReliability) &&
    (gpu === null || gpu(offer.gpuModel)) &&
    (region === null || region(offer));
}

export function offerMatches(offer: Offer, filter: OfferFilter): boolean {
  return compileOfferFilter(filter)(offer);
}

/** A country code (exact) or part of a region name, case-insensitive. */
function compileRegionQuery(query: string): OfferPredicate {
  const needle = query.trim().toLowerCase();
  if (needle === '') return () => true;
  return (offer) => (offer.country !== null && offer.country.toLowerCase() === needle) || (offer.region !== null && offer.region.toLowerCase().includes(needle));
}

const COMPARATORS: Record<OfferSort, (a: Offer, b: Offer) => number> = {
  price: (a, b) => a.pricePerHourUsd - b.pricePerHourUsd,
  reliability: (a, b) => (b.reliability ?? -1) - (a.reliability ?? -1) || a.pricePerHourUsd - b.pricePerHourUsd,
  vram: (a, b) => b.vramGbPerGpu * b.gpuCount - a.vramGbPerGpu * a.gpuCount || a.pricePerHourUsd - b.pricePerHourUsd,
};

/** The menu's order for a sort (price by default); ties broken by id so that results are stable. */
export function offerComparator(sort: OfferSort = 'price'): (a: Offer, b: Offer) => number {
  const compare = COMPARATORS[sort];
  return (a, b) => compare(a, b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** A sorted copy, for selectFromSorted. */
export function sortOffers(offers: readonly Offer[], sort?: OfferSort): Offer[] {
  return [...offers].sort(offerComparator(sort));
}

/**
 * Selects from offers already in the filter's sort order (sortOffers): filters and stops at the
 * limit, so that a search over thousands of offers reads only as far as it needs to.
 */
export function selectFromSorted(sorted: Iterable<Offer>, filter: OfferFilter): Offer[] {
  const matches = compileOfferFilter(filter);
  const limit = filter.limit ?? Number.POSITIVE_INFINITY;
  // In price order, past the price bound nothing more can match: the rest is not read.
  const maxPrice = (filter.sort ?? 'price') === 'price' ? (filter.maxPricePerHourUsd ?? Number.POSITIVE_INFINITY) : Number.POSITIVE_INFINITY;
  const selected: Offer[] = [];
  for (const offer of sorted) {
    if (selected.length >= limit || offer.pricePerHourUsd > maxPrice) break;
    if (matches(offer)) selected.push(offer);
  }
  return selected;
}

/** Offers in one sort order, and the same offers grouped by GPU model, each group in that order. */
export interface SortedMenu {
  sort: OfferSort;
  offers: readonly Offer[];
  byModel: ReadonlyMap<string, readonly Offer[]>;
}

/** Sorts once and groups by model, for selectFromMenu (a menu holds a few dozen distinct models). */
export function sortMenu(offers: readonly Offer[], sort: OfferSort = 'price'): SortedMenu {
  const sorted = sortOffers(offers, sort);
  const byModel = new Map<string, Offer[]>();
  for (const offer of sorted) {
    const group = byModel.get(offer.gpuModel);
    if (group === undefined) byModel.set(offer.gpuModel, [offer]);
    else group.push(offer);
  }
  return { sort, offers: sorted, byModel };
}

/**
 * selectFromSorted over a SortedMenu in the filter's sort order: a GPU query is judged once per
 * model, and only the offers of the models it names are read (merged in menu order), not all of them.
 */
export function selectFromMenu(menu: SortedMenu, filter: OfferFilter): Offer[] {
  if ((filter.sort ?? 'price') !== menu.sort) throw new Error(`a ${menu.sort} menu cannot answer a ${filter.sort ?? 'price'} query`);
  if (filter.gpu === undefined) return selectFromSorted(menu.offers, filter);
  // Each model is judged once here: nothing to remember.
  const gpu = compileGpuQueryOnce(filter.gpu);
  const groups: (readonly Offer[])[] = [];
  for (const [model, offers] of menu.byModel) if (gpu(model)) groups.push(offers);
  const { gpu: _judged, ...rest } = filter;
  return selectFromSorted(groups.length === 1 ? groups[0]! : mergeSorted(groups, offerComparator(menu.sort)), rest);
}

/** The sorted lists as one sorted sequence, produced lazily (a selection stops at its limit). */
function* mergeSorted(lists: readonly (readonly Offer[])[], compare: (a: Offer, b: Offer) => number): Generator<Offer> {
  const next = lists.map(() => 0);
  for (;;) {
    let best = -1;
    for (let list = 0; list < lists.length; list += 1) {
      const candidate = lists[list]![next[list]!];
      if (candidate !== undefined && (best === -1 || compare(candidate, lists[best]![next[best]!]!) < 0)) best = list;
    }
    if (best === -1) return;
    yield lists[best]![next[best]!]!;
    next[best]! += 1;
  }
}

/** Filters, sorts (price by default; ties broken by id so results are stable) and limits. */
export function selectOffers(offers: readonly Offer[], filter: OfferFilter): Offer[] {
  const matches = compileOfferFilter(filter);
  const selected = offers.filter(matches).sort(offerComparator(filter.sort));
  return filter.limit === undefined ? selected : selected.slice(0, filter.limit);
}

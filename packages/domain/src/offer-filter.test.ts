import { describe, expect, it } from 'vitest';
import type { Offer, OfferFilter } from './offer';
import { compileOfferFilter, offerMatches, selectFromMenu, selectFromSorted, selectOffers, sortMenu, sortOffers } from './offer-filter';

const MODELS = [
  ['RTX 4090', 24],
  ['RTX 3090', 24],
  ['A100 80GB', 80],
  ['A100 40GB', 40],
  ['L40S', 48],
  ['L4', 24],
] as const;
const PLACES = [
  ['Texas', 'US'],
  ['Bavaria', 'DE'],
  [null, 'KR'],
  ['Quebec', null],
] as const;

/** A varied menu with many equal prices, so that ties (broken by id) matter. */
function menu(count: number): Offer[] {
  return Array.from({ length: count }, (_, index) => {
    const [gpuModel, vram] = MODELS[index % MODELS.length]!;
    const [region, country] = PLACES[(index * 7) % PLACES.length]!;
    const gpuCount = [1, 2, 4, 8][(index * 3) % 4]!;
    const price = (1 + ((index * 13) % 9)) / 4;
    return {
      id: `${index % 2 === 0 ? 'vastai' : 'tensordock'}:${(index * 37) % 1000}`,
      provider: index % 2 === 0 ? 'vastai' : 'tensordock',
      providerOfferId: String(index),
      gpuModel,
      providerGpuName: gpuModel,
      gpuCount,
      vramGbPerGpu: index % 5 === 0 ? vram - 0.5 : vram,
      pricePerHourUsd: price,
      priceBreakdown: { computePerHourUsd: price, storagePerHourUsd: 0 },
      region,
      country,
      reliability: index % 4 === 0 ? null : 0.9 + (index % 10) / 100,
      availableForHours: null,
      cpuCores: 8,
      ramGb: 32,
      diskGb: 50,
      verified: true,
      fetchedAt: '2026-01-01T00:00:00.000Z',
      stale: false,
    };
  });
}

const FILTERS: OfferFilter[] = [
  {},
  { gpu: '4090' },
  { gpu: 'a100', minVramGb: 80 },
  { gpu: 'a10' },
  { gpu: 'l4', sort: 'vram', limit: 5 },
  { maxPricePerHourUsd: 1, minGpus: 2, sort: 'reliability' },
  // Price order with a price bound: selection stops at the bound.
  { gpu: '4090', maxPricePerHourUsd: 1 },
  { maxPricePerHourUsd: 0.5, sort: 'price', limit: 1_000 },
  { provider: 'tensordock', region: 'us', limit: 7 },
  { region: 'bav' },
  { region: ' ' },
  { minReliability: 0.95, sort: 'vram' },
  { gpu: '', limit: 3 },
  { gpu: 'nothing-like-this' },
  // A query naming several models: their offers are merged in menu order.
  { gpu: 'rtx', limit: 30 },
  { gpu: 'rtx', sort: 'reliability', maxPricePerHourUsd: 2 },
];

describe('compiled offer filters', () => {
  const offers = menu(240);

  it('agree with each field read on its own', () => {
    for (const offer of offers.slice(0, 40)) {
      expect(offerMatches(offer, { gpu: '4090' })).toBe(offer.gpuModel === 'RTX 4090');
      // 24 GB within the 3% tolerance: 23.5 passes, 24 passes, nothing smaller exists.
      expect(offerMatches(offer, { minVramGb: 24 })).toBe(true);
      expect(offerMatches(offer, { minVramGb: 48 })).toBe(offer.vramGbPerGpu >= 48 * 0.97);
      expect(offerMatches(offer, { region: 'US' })).toBe(offer.country === 'US');
      expect(offerMatches(offer, { minReliability: 0.5 })).toBe(offer.reliability !== null);
    }
  });

  it('gives one compiled predicate the same verdicts as fresh ones', () => {
    for (const filter of FILTERS) {
      const matches = compileOfferFilter(filter);
      expect(offers.map((offer) => matches(offer))).toEqual(offers.map((offer) => offerMatches(offer, filter)));
    }
  });

  it('selects the same offers, in the same order, from a presorted menu as by filtering then sorting', () => {
    for (const filter of FILTERS) {
      const expected = selectOffers(offers, filter);
      expect(selectFromSorted(sortOffers(offers, filter.sort), filter)).toEqual(expected);
      expect(selectFromMenu(sortMenu(offers, filter.sort), filter)).toEqual(expected);
      expect(expected.length).toBeLessThanOrEqual(filter.limit ?? offers.length);
    }
    expect(selectOffers(offers, { gpu: '4090' }).length).toBe(40);
    expect(new Set(selectOffers(offers, { gpu: 'rtx' }).map((offer) => offer.gpuModel)).size).toBeGreaterThan(1);
  });

  it('sorts by price with ties broken by id, leaving its input alone', () => {
    const before = [...offers];
    const sorted = sortOffers(offers);
    expect(offers).toEqual(before);
    for (let index = 1; index < sorted.length; index += 1) {
      const [a, b] = [sorted[index - 1]!, sorted[index]!];
      expect(a.pricePerHourUsd < b.pricePerHourUsd || (a.pricePerHourUsd === b.pricePerHourUsd && a.id <= b.id)).toBe(true);
    }
  });
});

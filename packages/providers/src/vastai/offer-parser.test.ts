import { describe, expect, it } from 'vitest';
import { OfferSchema } from '@gpu-shopper/domain';
import { ProviderContractError } from '../errors';
import { readFixture } from '../test-support/fixtures';
import { parseGeolocation, parseVastBundlesResponse } from './offer-parser';

const now = new Date('2024-11-10T00:00:00.000Z');
const fixture = readFixture<{ offers: Record<string, unknown>[] }>('vast-bundles-example.json');

describe('parseVastBundlesResponse against the real bundles record', () => {
  it('converts units, prices the requested disk in, and splits geolocation', () => {
    const { offers, skippedCount } = parseVastBundlesResponse(fixture, { diskGb: 50, now });
    expect(skippedCount).toBe(0);
    expect(offers).toHaveLength(1);
    const offer = offers[0]!;
    expect(OfferSchema.parse(offer)).toEqual(offer);
    expect(offer).toMatchObject({
      id: 'vastai:13489095',
      provider: 'vastai',
      providerOfferId: '13489095',
      gpuModel: 'RTX 4090',
      providerGpuName: 'RTX 4090',
      gpuCount: 1,
      vramGbPerGpu: 24,
      region: 'South Korea',
      country: 'KR',
      reliability: 0.9985116,
      verified: false,
      cpuCores: 12,
      diskGb: 50,
      fetchedAt: now.toISOString(),
      stale: false,
    });
    // 0.1666667 + 0.2 $/GB/month * 50 GB / 720 h
    expect(offer.priceBreakdown.computePerHourUsd).toBeCloseTo(0.1666667, 6);
    expect(offer.priceBreakdown.storagePerHourUsd).toBeCloseTo(0.0138889, 6);
    expect(offer.pricePerHourUsd).toBeCloseTo(0.1805556, 6);
    // Half the cores, so half of the machine's 32069 MB.
    expect(offer.ramGb).toBeCloseTo(15.7, 1);
    expect(offer.availableForHours).toBeCloseTo(4798013.09 / 3600, 1);
  });

  it('reproduces Vast’s own dph_total for the allocated_storage the record was priced at (5 GB)', () => {
    const { offers } = parseVastBundlesResponse(fixture, { diskGb: 5, now });
    expect(offers[0]!.pricePerHourUsd).toBeCloseTo(fixture.offers[0]!.dph_total as number, 9);
  });

  it('falls back to end_date minus now when duration is missing, and to reliability when reliability2 is', () => {
    const record = { ...fixture.offers[0], duration: null, reliability2: null, reliability: 1.2, verification: 'verified' };
    const { offers } = parseVastBundlesResponse({ offers: [record] }, { diskGb: 10, now: new Date(1735617972_000 - 10 * 3600_000) });
    expect(offers[0]!.availableForHours).toBe(10);
    expect(offers[0]!.reliability).toBe(1);
    expect(offers[0]!.verified).toBe(true);
  });

  it('skips one malformed record and counts it, keeping the rest', () => {
    const good = fixture.offers[0];
    const bad = { ...good, id: 'not-a-number', gpu_ram: undefined };
    const { offers, skippedCount, skipReasons } = parseVastBundlesResponse({ offers: [good, bad] }, { diskGb: 50, now });
    expect(offers).toHaveLength(1);
    expect(skippedCount).toBe(1);
    expect(skipReasons[0]).toMatch(/id|gpu_ram/);
  });

  it('treats a wrong envelope, or a list where nothing parses, as a contract error (never "no offers")', () => {
    expect(() => parseVastBundlesResponse({ offer: [] }, { diskGb: 50, now })).toThrow(ProviderContractError);
    expect(() => parseVastBundlesResponse([fixture.offers[0]], { diskGb: 50, now })).toThrow(ProviderContractError);
    expect(() => parseVastBundlesResponse({ offers: [{ id: 1 }] }, { diskGb: 50, now })).toThrow(ProviderContractError);
    expect(parseVastBundlesResponse({ offers: [] }, { diskGb: 50, now }).offers).toEqual([]);
  });

  it('names what is wrong with the envelope as the schema sees it', () => {
    expect(() => parseVastBundlesResponse({ offer: [] }, { diskGb: 50, now })).toThrow('bundles response has no "offers" array: Invalid input: expected array, received undefined');
    expect(() => parseVastBundlesResponse([fixture.offers[0]], { diskGb: 50, now })).toThrow('bundles response has no "offers" array: Invalid input: expected object, received array');
    expect(() => parseVastBundlesResponse({ offers: [{ id: 1 }] }, { diskGb: 50, now })).toThrow('no bundle record had the expected shape (first problem: gpu_name: Invalid input: expected string, received undefined)');
  });

  it('gives the same offers whether the context object is fresh or reused, with extra keys ignored', () => {
    const context = { diskGb: 50, now };
    const reused = parseVastBundlesResponse(fixture, context);
    expect(parseVastBundlesResponse(fixture, { diskGb: 50, now })).toEqual(reused);
    expect(parseVastBundlesResponse(fixture, { ...context, fetchedAtIso: 'ignored: formatted from now' })).toEqual(reused);
    expect(reused.offers[0]!.fetchedAt).toBe(now.toISOString());
  });
});

describe('parseGeolocation', () => {
  it.each([
    ['South Korea, KR', 'South Korea', 'KR'],
    ['Quebec, CA', 'Quebec', 'CA'],
    [', US', null, 'US'],
    ['US', null, 'US'],
    ['  Texas, US ', 'Texas', 'US'],
    ['Somewhere', 'Somewhere', null],
    [null, null, null],
    ['', null, null],
  ])('%j -> region %j, country %j', (input, region, country) => {
    expect(parseGeolocation(input)).toEqual({ region, country });
  });
});

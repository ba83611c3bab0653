// Skipped malformed records: counted per provider and listing for /metrics, logged, and an ALERT when
// more than a few percent of one listing was skipped (through the Vast adapter against its simulator).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '@gpu-shopper/domain';
import { startVastAiSimulator, type VastAiSimulator } from '@gpu-shopper/simulators';
import { RequestBudget } from './http/request-budget';
import { SkippedRecordMetrics } from './skipped-records';
import { VastAiAdapter } from './vastai/adapter';

const clock = new ManualClock('2026-03-01T00:00:00.000Z');
let sim: VastAiSimulator;

beforeAll(async () => {
  sim = await startVastAiSimulator({ seed: 31, offerCount: 200, clock });
});
afterAll(async () => {
  await sim.close();
});

const sample = (metrics: SkippedRecordMetrics, name: string) => metrics.families().find((family) => family.name === name)!.samples[0]?.value;

describe('skipped malformed records', () => {
  it('counts every listing, warns on a few skipped and raises an ALERT (and the alert gauge) past 3%', async () => {
    const metrics = new SkippedRecordMetrics();
    const warnings: string[] = [];
    const vast = new VastAiAdapter({ apiKey: null, baseUrl: sim.url, clock, retry: { sleep: async () => {} }, budget: RequestBudget.unlimited(), skippedRecords: metrics, logger: { warn: (message) => void warnings.push(message) } });
    await vast.searchOffers({ diskGb: 10, limit: 100 });
    expect(sample(metrics, 'gpu_shopper_provider_records_seen_total')).toBe(100);
    expect(sample(metrics, 'gpu_shopper_provider_records_skipped_total')).toBe(0);
    expect(warnings).toEqual([]);

    // Vast renames a field the parser needs on one record in ten.
    const drifted = sim.offers.filter((_, index) => index % 10 === 0);
    for (const offer of drifted) offer.record.num_gpus = String(offer.record.num_gpus);
    try {
      const offers = await vast.searchOffers({ diskGb: 10, limit: 100 });
      expect(vast.lastSearchSkippedCount).toBe(100 - offers.length);
      expect(vast.lastSearchSkippedCount).toBeGreaterThan(3);
      expect(sample(metrics, 'gpu_shopper_provider_records_skipped_total')).toBe(vast.lastSearchSkippedCount);
      expect(sample(metrics, 'gpu_shopper_provider_listing_skip_alert')).toBe(1);
      expect(warnings).toEqual([expect.stringMatching(/^ALERT vastai search offers: skipped \d+ of 100 malformed records .*num_gpus/)]);
    } finally {
      for (const offer of drifted) offer.record.num_gpus = Number(offer.record.num_gpus);
    }
    await vast.searchOffers({ diskGb: 10, limit: 100 });
    expect(sample(metrics, 'gpu_shopper_provider_listing_skip_alert')).toBe(0);
  });

  it('warns without alerting when a listing skips no more than the alert ratio', () => {
    const metrics = new SkippedRecordMetrics(0.03);
    expect(metrics.record('tensordock', 'search offers', { total: 100, skipped: 3, reasons: ['id: bad'] })).toBe(false);
    expect(metrics.record('tensordock', 'search offers', { total: 100, skipped: 4, reasons: ['id: bad'] })).toBe(true);
    expect(sample(metrics, 'gpu_shopper_provider_records_skipped_total')).toBe(7);
  });
});

// The Vast adapter's offer search against the Vast simulator over real HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, OfferSchema } from '@gpu-shopper/domain';
import { startVastAiSimulator, type VastAiSimulator } from '@gpu-shopper/simulators';
import { AuthFailedError, ProviderContractError, ProviderUnavailableError, RateLimitedError } from '../errors';
import { RequestBudget } from '../http/request-budget';
import { VastAiAdapter } from './adapter';

const API_KEY = 'vast-secret-key-123456';
const clock = new ManualClock('2026-03-01T00:00:00.000Z');
let sim: VastAiSimulator;

function adapter(overrides: Partial<ConstructorParameters<typeof VastAiAdapter>[0]> = {}): VastAiAdapter {
  return new VastAiAdapter({ apiKey: API_KEY, baseUrl: sim.url, clock, retry: { sleep: async () => {}, maxAttempts: 3 }, budget: RequestBudget.unlimited(), ...overrides });
}

beforeAll(async () => {
  sim = await startVastAiSimulator({ seed: 42, offerCount: 2000, clock, apiKey: API_KEY });
});
afterAll(async () => {
  await sim.close();
});

describe('VastAiAdapter.searchOffers against the simulator', () => {
  it('returns valid offers, cheapest first, filtered by GPU, price and GPU count, within the limit', async () => {
    const offers = await adapter().searchOffers({ diskGb: 100, gpu: '4090', maxPricePerHourUsd: 2, minGpus: 2, limit: 25 });
    expect(offers.length).toBeGreaterThan(0);
    expect(offers.length).toBeLessThanOrEqual(25);
    for (const offer of offers) {
      expect(OfferSchema.parse(offer)).toEqual(offer);
      expect(offer.gpuModel).toBe('RTX 4090');
      expect(offer.gpuCount).toBeGreaterThanOrEqual(2);
      expect(offer.pricePerHourUsd).toBeLessThanOrEqual(2 + 1e-9);
      expect(offer.diskGb).toBe(100);
      expect(offer.fetchedAt).toBe(clock.now().toISOString());
    }
    const prices = offers.map((offer) => offer.pricePerHourUsd);
    expect(prices).toEqual([...prices].sort((a, b) => a - b));
    const body = sim.requests.at(-1)?.body as Record<string, unknown>;
    expect(body).toMatchObject({ type: 'on-demand', allocated_storage: 100, limit: 25, rentable: { eq: true }, num_gpus: { gte: 2 }, dph_total: { lte: 2 } });
    expect((body.gpu_name as { in: string[] }).in).toContain('RTX 4090');
  });

  it('maps a canonical model with two VRAM sizes to several Vast names and keeps only the right size', async () => {
    const offers = await adapter().searchOffers({ diskGb: 50, gpu: 'A100 80GB', limit: 50 });
    expect(offers.length).toBeGreaterThan(0);
    expect(new Set(offers.map((offer) => offer.gpuModel))).toEqual(new Set(['A100 80GB']));
  });

  it('sees the whole varied catalog when unfiltered', async () => {
    const offers = await adapter().searchOffers({ diskGb: 50, limit: 5000 });
    expect(offers.length).toBe(2000);
    const models = new Set(offers.map((offer) => offer.gpuModel));
    for (const model of ['RTX 3090', 'RTX 4090', 'RTX A6000', 'A100 40GB', 'A100 80GB', 'L40S', 'H100 SXM', 'H100 PCIe', 'H200', 'B200']) {
      expect(models).toContain(model);
    }
    expect(new Set(offers.map((offer) => offer.gpuCount))).toEqual(new Set([1, 2, 3, 4, 6, 8]));
    expect(new Set(offers.map((offer) => offer.country)).size).toBeGreaterThan(10);
  });

  it('rides out a short 429 storm with retries', async () => {
    sim.faults.set({ rateLimitStorm: { count: 2 } });
    const offers = await adapter().searchOffers({ diskGb: 50, limit: 3 });
    expect(offers).toHaveLength(3);
  });

  it('raises RateLimitedError when the storm outlasts the retries', async () => {
    sim.faults.set({ rateLimitStorm: { count: 10 } });
    await expect(adapter().searchOffers({ diskGb: 50, limit: 3 })).rejects.toBeInstanceOf(RateLimitedError);
    sim.faults.clear();
  });

  it('raises ProviderContractError on a response without an offers array', async () => {
    sim.faults.set({ errors: { search: { status: 200, body: { results: [] }, count: 1 } } });
    await expect(adapter().searchOffers({ diskGb: 50 })).rejects.toBeInstanceOf(ProviderContractError);
  });

  it('raises ProviderUnavailableError after retrying 503s, and recovers when they stop', async () => {
    sim.faults.set({ errors: { search: { status: 503, count: 5 } } });
    await expect(adapter().searchOffers({ diskGb: 50, limit: 1 })).rejects.toBeInstanceOf(ProviderUnavailableError);
    sim.faults.set({ errors: { search: { status: 502, count: 1 } } });
    await expect(adapter().searchOffers({ diskGb: 50, limit: 1 })).resolves.toHaveLength(1);
  });

  it('raises AuthFailedError for a wrong key, without the key in the message', async () => {
    const error = await adapter({ apiKey: 'wrong-key-987654' })
      .searchOffers({ diskGb: 50 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AuthFailedError);
    expect(String((error as Error).message)).not.toContain('wrong-key-987654');
  });

  it('raises ProviderUnavailableError when nothing listens, and times out slow answers', async () => {
    await expect(adapter({ baseUrl: 'http://127.0.0.1:9' }).searchOffers({ diskGb: 50 })).rejects.toBeInstanceOf(ProviderUnavailableError);
    sim.faults.set({ latencyMs: { search: 300 } });
    const error = await adapter({ timeoutMs: 30, retry: { maxAttempts: 1 } })
      .searchOffers({ diskGb: 50, limit: 1 })
      .catch((caught: unknown) => caught);
    sim.faults.clear();
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect((error as Error).message).toMatch(/timed out/);
  });
});

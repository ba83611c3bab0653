// Every Vast adapter instance operation against the Vast simulator over real HTTP, faults included.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock, type Offer } from '@gpu-shopper/domain';
import { startVastAiSimulator, type VastAiSimulator } from '@gpu-shopper/simulators';
import { CreateFailedError, OfferGoneError, ProviderContractError, ProviderRejectedError, ProviderUnavailableError } from '../errors';
import { testSpec } from '../test-support/specs';
import { RequestBudget } from '../http/request-budget';
import { VastAiAdapter } from './adapter';

const API_KEY = 'vast-instances-key-42';
const BOOT_MS = 60_000;
const clock = new ManualClock('2026-03-01T00:00:00.000Z');
let sim: VastAiSimulator;
let vast: VastAiAdapter;
let offers: Offer[];

beforeAll(async () => {
  sim = await startVastAiSimulator({ seed: 11, offerCount: 400, clock, apiKey: API_KEY, bootDelayMs: BOOT_MS });
  vast = new VastAiAdapter({ apiKey: API_KEY, baseUrl: sim.url, clock, timeoutMs: 2_000, retry: { sleep: async () => {}, maxAttempts: 3 }, budget: RequestBudget.unlimited() });
  offers = await vast.searchOffers({ diskGb: 100, limit: 400 });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => sim.faults.clear());

let nextOffer = 0;
function freshOffer(): Offer {
  const offer = offers[nextOffer++];
  if (!offer) throw new Error('out of offers');
  return offer;
}

describe('VastAiAdapter instance lifecycle against the simulator', () => {
  it('creates with label, env, ports and onstart, then walks provisioning -> running with ports', async () => {
    const spec = testSpec();
    const created = await vast.createInstance(freshOffer(), spec);
    expect(created).toMatchObject({ provider: 'vastai', state: 'provisioning', label: spec.label });
    const request = sim.requests.find((r) => r.endpoint === 'create')!.body as Record<string, unknown>;
    expect(request).toMatchObject({ image: spec.image, disk: 100, label: spec.label, runtype: 'ssh_direct', env: { GPU_SHOPPER_TOKEN: 'node-token', '-p 8000:8000': '1' } });
    expect(String(request.onstart)).toContain('authorized_keys');
    expect(String(request.onstart)).toContain(spec.bootstrapScript);

    expect((await vast.getInstance(created.instanceId))?.state).toBe('provisioning');
    clock.advance(BOOT_MS / 2);
    expect((await vast.getInstance(created.instanceId))?.providerStatus).toBe('loading');
    clock.advance(BOOT_MS);
    const running = await vast.getInstance(created.instanceId);
    expect(running).toMatchObject({ state: 'running', label: spec.label });
    expect(running?.publicIp).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(Object.keys(running?.portMappings ?? {}).map(Number).sort()).toEqual([22, 8000]);
    expect(running?.sshPort).toBe(running?.portMappings[22]);
  });

  it('lists every instance through all v1 pages, labels included', async () => {
    const labels = [];
    for (let n = 0; n < 27; n++) {
      const spec = testSpec();
      labels.push(spec.label);
      await vast.createInstance(freshOffer(), spec);
    }
    const listed = await vast.listInstances();
    const listedLabels = new Set(listed.map((instance) => instance.label));
    for (const label of labels) expect(listedLabels).toContain(label);
    expect(listed.length).toBe(sim.lifecycle.live().length);
    expect(sim.requests.filter((r) => r.path === '/api/v1/instances/').length).toBeGreaterThanOrEqual(2);
  });

  it('stops and starts', async () => {
    const { instanceId } = await vast.createInstance(freshOffer(), testSpec());
    clock.advance(BOOT_MS);
    await vast.stopInstance(instanceId);
    expect(['stopping', 'stopped']).toContain((await vast.getInstance(instanceId))?.state);
    clock.advance(BOOT_MS);
    expect((await vast.getInstance(instanceId))?.state).toBe('stopped');
    await vast.startInstance(instanceId);
    clock.advance(BOOT_MS);
    expect((await vast.getInstance(instanceId))?.state).toBe('running');
  });

  it('destroys idempotently: gone, gone again, and never-known all succeed', async () => {
    const { instanceId } = await vast.createInstance(freshOffer(), testSpec());
    await vast.destroyInstance(instanceId);
    clock.advance(BOOT_MS);
    expect(await vast.getInstance(instanceId)).toBeNull();
    await expect(vast.destroyInstance(instanceId)).resolves.toBeUndefined();
    await expect(vast.destroyInstance('99999999')).resolves.toBeUndefined();
    expect(await vast.getInstance('99999999')).toBeNull();
  });

  it('reads charges that match the simulator ground truth (compute while running, storage while it exists)', async () => {
    const start = clock.now();
    const { instanceId } = await vast.createInstance(freshOffer(), testSpec());
    clock.advance(BOOT_MS + 3_600_000);
    await vast.stopInstance(instanceId);
    clock.advance(3_600_000);
    const charges = await vast.describeBilling([instanceId], start, clock.now());
    const truth = sim.billing(start, clock.now()).find((row) => row.instanceId === instanceId)!;
    expect(charges).toHaveLength(1);
    expect(charges[0]!.amountUsd).toBeCloseTo(truth.totalUsd, 9);
    expect(charges[0]!.items.find((item) => item.kind === 'gpu')?.amountUsd).toBeCloseTo(truth.computeUsd, 9);
    expect(charges[0]!.items.find((item) => item.kind === 'disk')?.amountUsd).toBeCloseTo(truth.storageUsd, 9);
    expect(truth.computeHours).toBeCloseTo(1, 2);
    expect(truth.storageHours).toBeGreaterThan(2);
  });
});

describe('VastAiAdapter faults and quirks', () => {
  it('raises OfferGoneError when the offer was rented out meanwhile (410) or vanished (404)', async () => {
    const offer = freshOffer();
    sim.offers.find((o) => o.id === Number(offer.providerOfferId))!.rented = true;
    await expect(vast.createInstance(offer, testSpec())).rejects.toBeInstanceOf(OfferGoneError);
    await expect(vast.createInstance({ ...offer, providerOfferId: '1' }, testSpec())).rejects.toBeInstanceOf(OfferGoneError);
  });

  it("raises OfferGoneError, sent once, when a hosting account's key asks for another host's offer (403 not your own), and rents its own", async () => {
    const simOffer = (offer: Offer) => sim.offers.find((o) => o.id === Number(offer.providerOfferId))!;
    const own = freshOffer();
    let foreign = freshOffer();
    while (simOffer(foreign).record.host_id === simOffer(own).record.host_id) foreign = freshOffer();
    sim.hostAccount.hostId = simOffer(own).record.host_id as number;
    try {
      const creates = () => sim.requests.filter((r) => r.endpoint === 'create').length;
      const before = creates();
      const error = (await vast.createInstance(foreign, testSpec()).catch((caught: unknown) => caught)) as OfferGoneError;
      expect(error).toBeInstanceOf(OfferGoneError);
      expect(error.message).toContain(`Offer ${foreign.providerOfferId} is not your own`);
      expect(error.message).toContain("a hosting account's key can rent only that host's own machines");
      expect(creates() - before).toBe(1);
      expect((await vast.createInstance(own, testSpec())).instanceId).toMatch(/^\d+$/);
    } finally {
      sim.hostAccount.hostId = null;
    }
  });

  it('rejects an onstart over 4048 characters before calling Vast', async () => {
    const before = sim.requests.length;
    await expect(vast.createInstance(freshOffer(), testSpec({ bootstrapScript: 'x'.repeat(5000) }))).rejects.toBeInstanceOf(ProviderRejectedError);
    expect(sim.requests.length).toBe(before);
  });

  it('reports and destroys the instance a failed create left behind (new_contract in the error body)', async () => {
    sim.faults.set({ createErrorsButCreates: { count: 1, status: 400, includeInstanceId: true } });
    const error = (await vast.createInstance(freshOffer(), testSpec()).catch((caught: unknown) => caught)) as CreateFailedError;
    expect(error).toBeInstanceOf(CreateFailedError);
    expect(error.createdInstanceId).toMatch(/^\d+$/);
    expect(error.orphanDestroyed).toBe(true);
    expect(['exiting', 'destroyed']).toContain(sim.lifecycle.instances.get(error.createdInstanceId!)?.phase);
  });

  it('finds the orphan by label when a failed create (5xx) does not name it', async () => {
    sim.faults.set({ createErrorsButCreates: { count: 1, status: 500, includeInstanceId: false } });
    const spec = testSpec();
    const error = (await vast.createInstance(freshOffer(), spec).catch((caught: unknown) => caught)) as CreateFailedError;
    expect(error).toBeInstanceOf(CreateFailedError);
    expect(sim.lifecycle.instances.get(error.createdInstanceId!)?.data.label).toBe(spec.label);
  });

  it('does not repeat a create that hit a 503, and says the provider is unavailable', async () => {
    sim.faults.set({ errors: { create: { status: 503, count: 1 } } });
    const before = sim.requests.filter((r) => r.endpoint === 'create').length;
    await expect(vast.createInstance(freshOffer(), testSpec())).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(sim.requests.filter((r) => r.endpoint === 'create').length).toBe(before + 1);
  });

  it('retries a destroy that timed out and ends with the instance gone', async () => {
    const { instanceId } = await vast.createInstance(freshOffer(), testSpec());
    const quick = new VastAiAdapter({ apiKey: API_KEY, baseUrl: sim.url, clock, timeoutMs: 40, retry: { sleep: async () => {}, maxAttempts: 3 }, budget: RequestBudget.unlimited() });
    sim.faults.set({ destroyTimesOut: { count: 1, destroys: false } });
    await quick.destroyInstance(instanceId);
    clock.advance(BOOT_MS);
    expect(await vast.getInstance(instanceId)).toBeNull();
  });

  it('rides out a 429 storm on destroy', async () => {
    const { instanceId } = await vast.createInstance(freshOffer(), testSpec());
    sim.faults.set({ rateLimitStorm: { count: 2, endpoints: ['destroy'] } });
    await vast.destroyInstance(instanceId);
    clock.advance(BOOT_MS);
    expect(await vast.getInstance(instanceId)).toBeNull();
  });

  it('shows an instance stuck in loading as provisioning, and one stuck exiting as destroying (never as gone)', async () => {
    sim.faults.set({ stuckLoading: { count: 1 }, stuckExiting: { count: 1 } });
    const { instanceId } = await vast.createInstance(freshOffer(), testSpec());
    clock.advance(BOOT_MS * 10);
    expect((await vast.getInstance(instanceId))?.state).toBe('provisioning');
    await vast.destroyInstance(instanceId);
    clock.advance(BOOT_MS * 10);
    expect((await vast.getInstance(instanceId))?.state).toBe('destroying');
    expect((await vast.listInstances()).some((instance) => instance.instanceId === instanceId)).toBe(true);
  });

  it('falls back to the v0 list when v1 answers an unexpected shape, and fails loudly when both do', async () => {
    const truth = sim.lifecycle.live().length;
    sim.faults.set({ listingUnexpectedShape: { count: 1 } });
    let sent = 0;
    expect((await vast.listInstances({ observer: { sent: () => void (sent += 1), refused: () => {}, confirmed: () => {}, alreadyGone: () => {} } })).length).toBe(truth);
    expect(sent).toBe(2); // the v1 request, then the v0 one: the listing is dated by the one it came from
    sim.faults.set({ listingUnexpectedShape: { count: 2 } });
    await expect(vast.listInstances()).rejects.toBeInstanceOf(ProviderContractError);
  });

  it('raises ProviderUnavailableError when listing keeps failing, never an empty list', async () => {
    sim.faults.set({ errors: { list: { status: 503 } } });
    await expect(vast.listInstances()).rejects.toBeInstanceOf(ProviderUnavailableError);
  });

  it('turns HTTP 200 success:false on stop into ProviderRejectedError', async () => {
    const { instanceId } = await vast.createInstance(freshOffer(), testSpec());
    sim.faults.set({ errors: { manage: { status: 200, body: { success: false, msg: 'resources unavailable' }, count: 1 } } });
    await expect(vast.stopInstance(instanceId)).rejects.toThrow(/resources unavailable/);
  });
});

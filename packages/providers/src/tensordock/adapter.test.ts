// Every TensorDock adapter operation against the TensorDock simulator over real HTTP, faults included.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock, OfferSchema, type Offer } from '@gpu-shopper/domain';
import { startTensorDockSimulator, type TensorDockSimulator } from '@gpu-shopper/simulators';
import { AuthFailedError, CreateFailedError, OfferGoneError, ProviderContractError, ProviderRejectedError, ProviderUnavailableError } from '../errors';
import { RequestBudget } from '../http/request-budget';
import { testSpec } from '../test-support/specs';
import { TensorDockAdapter } from './adapter';
import { BOOTSTRAP_PATH, NODE_ENV_FILE } from './cloud-init';

const TOKEN = 'td-token-abcdef';
const BOOT_MS = 30_000;
const clock = new ManualClock('2026-03-01T00:00:00.000Z');
let sim: TensorDockSimulator;
let td: TensorDockAdapter;
let offers: Offer[];

function adapter(overrides: Partial<ConstructorParameters<typeof TensorDockAdapter>[0]> = {}): TensorDockAdapter {
  return new TensorDockAdapter({ apiKey: TOKEN, baseUrl: sim.url, clock, timeoutMs: 2_000, retry: { sleep: async () => {}, maxAttempts: 3 }, budget: RequestBudget.unlimited(), ...overrides });
}

beforeAll(async () => {
  sim = await startTensorDockSimulator({ seed: 5, hostnodeCount: 200, clock, apiToken: TOKEN, bootDelayMs: BOOT_MS });
  td = adapter();
  offers = (await td.searchOffers({ diskGb: 100 })).filter((offer) => offer.gpuCount === 1);
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => sim.faults.clear());

const usedHosts = new Set<string>();
function freshOffer(): Offer {
  const offer = offers.find((candidate) => !usedHosts.has(candidate.providerOfferId));
  if (!offer) throw new Error('out of offers');
  usedHosts.add(offer.providerOfferId);
  return offer;
}

describe('TensorDockAdapter.searchOffers against the simulator', () => {
  it('builds valid, filtered, cheapest-first offers from the host nodes', async () => {
    const found = await td.searchOffers({ diskGb: 150, gpu: 'h100', maxPricePerHourUsd: 30, minGpus: 2, limit: 10 });
    expect(found.length).toBeGreaterThan(0);
    for (const offer of found) {
      expect(OfferSchema.parse(offer)).toEqual(offer);
      expect(offer.gpuModel).toMatch(/^H100/);
      expect(offer.gpuCount).toBeGreaterThanOrEqual(2);
      expect(offer.diskGb).toBe(150);
      expect(offer.cpuCores % 2).toBe(0);
    }
    const prices = found.map((offer) => offer.pricePerHourUsd);
    expect(prices).toEqual([...prices].sort((a, b) => a - b));
  });

  it('never offers a host with a single free port (every create needs SSH and the agent port)', async () => {
    const singlePort = new Set(sim.hostnodes.filter((host) => host.availablePorts.length < 2).map((host) => host.id));
    expect(singlePort.size).toBeGreaterThan(0);
    expect(offers.length).toBeGreaterThan(0);
    expect(offers.filter((offer) => singlePort.has(offer.providerOfferId))).toEqual([]);
  });

  it('raises AuthFailedError for a wrong token, without the token in the message', async () => {
    const error = (await adapter({ apiKey: 'bad-token-xyz' }).searchOffers({ diskGb: 100 }).catch((caught: unknown) => caught)) as Error;
    expect(error).toBeInstanceOf(AuthFailedError);
    expect(error.message).not.toContain('bad-token-xyz');
  });
});

describe('TensorDockAdapter instance lifecycle against the simulator', () => {
  it('creates on the host with port forwards from its free ports and our bootstrap in cloud-init, then runs', async () => {
    const offer = freshOffer();
    const host = sim.hostnodes.find((h) => h.id === offer.providerOfferId)!;
    const freePorts = [...host.availablePorts];
    const spec = testSpec();
    const created = await td.createInstance(offer, spec);
    expect(created).toMatchObject({ provider: 'tensordock', state: 'provisioning', label: spec.label });
    const attributes = (sim.requests.find((r) => r.endpoint === 'create')!.body as { data: { attributes: Record<string, unknown> } }).data.attributes;
    expect(attributes).toMatchObject({ name: spec.label, hostnode_id: offer.providerOfferId, ssh_key: spec.sshPublicKey, image: 'ubuntu2404' });
    expect(attributes.resources).toMatchObject({ vcpu_count: offer.cpuCores, ram_gb: offer.ramGb, storage_gb: 100, gpus: { [offer.providerGpuName]: { count: 1 } } });
    const forwards = attributes.port_forwards as { internal_port: number; external_port: number }[];
    expect(forwards.map((f) => f.internal_port)).toEqual([22, 8000]);
    for (const forward of forwards) expect(freePorts).toContain(forward.external_port);
    const cloudInit = attributes.cloud_init as { runcmd: string[][]; write_files: { path: string; permissions: string; content: string }[] };
    expect(cloudInit.write_files.find((file) => file.path === NODE_ENV_FILE)).toMatchObject({ permissions: '0600', content: expect.stringContaining('GPU_SHOPPER_TOKEN=node-token\n') });
    expect(cloudInit.write_files.find((file) => file.path === BOOTSTRAP_PATH)?.content).toBe(spec.bootstrapScript);
    expect(JSON.stringify(cloudInit.runcmd)).not.toContain('node-token');

    expect((await td.getInstance(created.instanceId))?.state).toBe('provisioning');
    clock.advance(BOOT_MS);
    const running = await td.getInstance(created.instanceId);
    expect(running).toMatchObject({ state: 'running', label: spec.label, sshPort: forwards[0]!.external_port });
    expect(running?.publicIp).toMatch(/^198\.51\.100\./);
    // The simulator alternates flat and wrapped answers; both read the same.
    expect((await td.getInstance(created.instanceId))?.state).toBe('running');
  });

  it('lists every instance whichever envelope the API picks', async () => {
    const { instanceId } = await td.createInstance(freshOffer(), testSpec());
    for (let n = 0; n < 2; n++) {
      const listed = await td.listInstances();
      expect(listed.length).toBe(sim.lifecycle.live().length);
      expect(listed.map((i) => i.instanceId)).toContain(instanceId);
    }
  });

  it('stops and starts (StoppedDisassociated reads as stopped)', async () => {
    const { instanceId } = await td.createInstance(freshOffer(), testSpec());
    clock.advance(BOOT_MS);
    await td.stopInstance(instanceId);
    clock.advance(BOOT_MS);
    expect((await td.getInstance(instanceId))?.state).toBe('stopped');
    await td.startInstance(instanceId);
    clock.advance(BOOT_MS);
    expect((await td.getInstance(instanceId))?.state).toBe('running');
  });

  it('deletes idempotently (404 is success) and returns the capacity to the host', async () => {
    const offer = freshOffer();
    const host = sim.hostnodes.find((h) => h.id === offer.providerOfferId)!;
    const gpusBefore = host.gpu.availableCount;
    const { instanceId } = await td.createInstance(offer, testSpec());
    expect(host.gpu.availableCount).toBe(gpusBefore - 1);
    await td.destroyInstance(instanceId);
    clock.advance(BOOT_MS);
    expect(await td.getInstance(instanceId)).toBeNull();
    expect(host.gpu.availableCount).toBe(gpusBefore);
    await expect(td.destroyInstance(instanceId)).resolves.toBeUndefined();
  });

  it('bills compute while running and storage while it exists (simulator ground truth)', async () => {
    const start = clock.now();
    const { instanceId } = await td.createInstance(freshOffer(), testSpec());
    clock.advance(BOOT_MS + 3_600_000);
    await td.stopInstance(instanceId);
    clock.advance(3_600_000);
    const truth = sim.billing(start, clock.now()).find((row) => row.instanceId === instanceId)!;
    expect(truth.computeHours).toBeCloseTo(1, 2);
    expect(truth.storageHours).toBeCloseTo(2 + BOOT_MS / 3_600_000, 2);
  });
});

describe('TensorDockAdapter faults and quirks', () => {
  it('reads "Hostnode unavailable" in a 200 body as OfferGoneError (capacity taken meanwhile)', async () => {
    const offer = freshOffer();
    sim.faults.set({ errors: { create: { status: 200, body: { error: 'Hostnode unavailable', status: 400 }, count: 1 } } });
    await expect(td.createInstance(offer, testSpec())).rejects.toBeInstanceOf(OfferGoneError);
    sim.rentOutHostnodes(sim.hostnodes.length);
    const taken = offers.find((candidate) => !usedHosts.has(candidate.providerOfferId) && sim.hostnodes.find((h) => h.id === candidate.providerOfferId)!.gpu.availableCount === 0);
    if (taken) await expect(td.createInstance(taken, testSpec())).rejects.toBeInstanceOf(OfferGoneError);
  });

  it('requires an SSH key before calling TensorDock', async () => {
    await expect(td.createInstance(offers[0]!, testSpec({ sshPublicKey: null }))).rejects.toBeInstanceOf(ProviderRejectedError);
  });

  it('reports (and deletes) the instance a failed create left behind, found by its name', async () => {
    const host = sim.hostnodes.find((h) => h.gpu.availableCount > 0) ?? sim.hostnodes[0]!;
    host.gpu.availableCount = Math.max(1, host.gpu.availableCount);
    const offer = (await td.searchOffers({ diskGb: 100 })).find((candidate) => candidate.providerOfferId === host.id)!;
    sim.faults.set({ createErrorsButCreates: { count: 1, status: 500 } });
    const spec = testSpec();
    const error = (await td.createInstance(offer, spec).catch((caught: unknown) => caught)) as CreateFailedError;
    expect(error).toBeInstanceOf(CreateFailedError);
    expect(error.orphanDestroyed).toBe(true);
    expect(error.createdInstanceRunning).toBe(sim.lifecycle.instances.get(error.createdInstanceId!)?.ledger.segments.some((segment) => segment.kind === 'compute'));
    expect(sim.lifecycle.instances.get(error.createdInstanceId!)?.data.name).toBe(spec.label);
  });

  it('treats an unexpected listing shape as a contract error, never an empty list', async () => {
    sim.faults.set({ listingUnexpectedShape: { count: 1 } });
    await expect(td.listInstances()).rejects.toBeInstanceOf(ProviderContractError);
  });

  it('retries 429s and 503s on reads, then gives a typed error', async () => {
    sim.faults.set({ rateLimitStorm: { count: 2, endpoints: ['list'] } });
    // The caller is told of each attempt as it leaves (it dates the listing by the one answered).
    const attempts: string[] = [];
    const observer = { sent: () => void attempts.push('sent'), refused: () => void attempts.push('refused'), confirmed: () => {}, alreadyGone: () => {} };
    await expect(td.listInstances({ observer })).resolves.toBeInstanceOf(Array);
    expect(attempts).toEqual(['sent', 'refused', 'sent', 'refused', 'sent']);
    sim.faults.set({ errors: { list: { status: 503 } } });
    await expect(td.listInstances()).rejects.toBeInstanceOf(ProviderUnavailableError);
  });

  it('retries a delete that timed out', async () => {
    sim.rentOutHostnodes(0);
    const host = sim.hostnodes[1]!;
    host.gpu.availableCount = 1;
    const offer = (await td.searchOffers({ diskGb: 100 })).find((candidate) => candidate.providerOfferId === host.id)!;
    const { instanceId } = await td.createInstance(offer, testSpec());
    sim.faults.set({ destroyTimesOut: { count: 1, destroys: false } });
    await adapter({ timeoutMs: 40 }).destroyInstance(instanceId);
    clock.advance(BOOT_MS);
    expect(await td.getInstance(instanceId)).toBeNull();
  });
});

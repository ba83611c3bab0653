// The admin routes that play the provider acting behind the renter's back (vanish, stop, exit), on both
// simulators, and the ground truth they leave: listings, billing, node processes.
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '@gpu-shopper/domain';
import { startSimulators, type RunningSimulators } from '../start-simulators';
import { adminBilling, adminInstances, call, createTdInstance, createVastInstance } from '../test-support/sim-http';

const HOUR_MS = 3_600_000;
let sims: RunningSimulators | undefined;
afterEach(async () => {
  await sims?.close();
  sims = undefined;
});

interface Provider {
  name: 'vastai' | 'tensordock';
  url(sims: RunningSimulators): string;
  create(sims: RunningSimulators, label: string, offerIndex: number): Promise<string>;
  /** What a renter sees of the instance: its provider status, or null when the API says it is gone. */
  status(sims: RunningSimulators, id: string): Promise<string | null>;
  listed(sims: RunningSimulators): Promise<string[]>;
}

const PROVIDERS: Provider[] = [
  {
    name: 'vastai',
    url: (s) => s.vastUrl,
    create: (s, label, offerIndex) => createVastInstance(s.vast, 'k', { label, offerIndex }),
    status: async (s, id) => ((await call(s.vastUrl, 'GET', `/api/v0/instances/${id}/`, 'k')).json.instances as { actual_status: string } | null)?.actual_status ?? null,
    listed: async (s) => ((await call(s.vastUrl, 'GET', '/api/v1/instances/', 'k')).json.instances as { id: number }[]).map((row) => String(row.id)),
  },
  {
    name: 'tensordock',
    url: (s) => s.tensordockUrl,
    create: async (s, label) => (await createTdInstance(s.tensordock, 't', { name: label })).id,
    status: async (s, id) => {
      const answer = await call(s.tensordockUrl, 'GET', `/api/v2/instances/${id}`, 't');
      return answer.status === 404 ? null : ((answer.json.data ?? answer.json) as { status: string }).status.toLowerCase();
    },
    listed: async (s) => {
      const body = (await call(s.tensordockUrl, 'GET', '/api/v2/instances', 't')).json.data as { instances?: { id: string }[]; attributes?: { instances: { id: string }[] } };
      return (body.instances ?? body.attributes?.instances ?? []).map((row) => row.id);
    },
  },
];

describe.each(PROVIDERS)('admin instance routes on $name', (provider) => {
  it('vanish: gone at once from listings and GET, billing and the node stop, billing still reports it', async () => {
    const clock = new ManualClock('2026-03-01T00:00:00.000Z');
    let stops = 0;
    sims = await startSimulators({ seed: 5, clock, vastOfferCount: 30, tensordockHostnodeCount: 10, onInstanceRunning: () => ({ stop: () => void stops++ }) });
    const id = await provider.create(sims, 'doomed', 0);
    clock.advance(HOUR_MS);
    const vanished = await call(provider.url(sims), 'POST', `/__admin/instances/${id}/vanish`, null);
    expect(vanished).toMatchObject({ status: 200, json: { success: true, instance: { id, phase: 'destroyed', label: 'doomed' } } });
    expect(stops).toBe(1);
    expect(await provider.status(sims, id)).toBeNull();
    expect(await provider.listed(sims)).toEqual([]);
    clock.advance(HOUR_MS);
    const row = (await adminBilling(provider.url(sims))).find((candidate) => candidate.instanceId === id)!;
    // Compute billing ended at the vanish, whatever the window asked for: what a chaos run dates an unseen end by.
    expect(row).toMatchObject({ label: 'doomed', computeHours: 1, storageHours: 1, computeEndedAtMs: Date.parse('2026-03-01T01:00:00.000Z') });
    expect(row.computePerHourUsd).toBeCloseTo(row.computeUsd, 10);
    expect((await call(provider.url(sims), 'POST', `/__admin/instances/${id}/vanish`, null)).status).toBe(404);
  });

  it('stop: stopped unasked; compute billing stops, storage goes on', async () => {
    const clock = new ManualClock('2026-03-01T00:00:00.000Z');
    sims = await startSimulators({ seed: 5, clock, vastOfferCount: 30, tensordockHostnodeCount: 10 });
    const id = await provider.create(sims, 'stopped', 0);
    clock.advance(HOUR_MS);
    expect((await adminBilling(provider.url(sims))).find((row) => row.instanceId === id)).toMatchObject({ computeEndedAtMs: null });
    expect((await call(provider.url(sims), 'POST', `/__admin/instances/${id}/stop`, null)).status).toBe(200);
    clock.advance(HOUR_MS);
    expect((await adminInstances(provider.url(sims))).find((row) => row.id === id)!.phase).toBe('stopped');
    expect(await provider.status(sims, id)).toMatch(/^(exited|stoppeddisassociated|stopped_disassociated)$/);
    expect((await adminBilling(provider.url(sims))).find((row) => row.instanceId === id)).toMatchObject({ computeHours: 1, storageHours: 2, computeEndedAtMs: Date.parse('2026-03-01T01:00:00.000Z') });
  });

  it('exit: the container exits with the given message (or Docker-like default); a stopped one cannot', async () => {
    sims = await startSimulators({ seed: 5, vastOfferCount: 30, tensordockHostnodeCount: 10 });
    const id = await provider.create(sims, 'crashy', 0);
    const exited = await call(provider.url(sims), 'POST', `/__admin/instances/${id}/exit`, null, { message: 'CUDA error: out of memory' });
    expect(exited.json).toMatchObject({ success: true, instance: { phase: 'failed', statusMessage: 'CUDA error: out of memory' } });
    expect(await provider.status(sims, id)).toBe(provider.name === 'vastai' ? 'exited' : 'error');
    expect(await provider.listed(sims)).toEqual([id]); // an exited container is still there (and billed for storage)

    const other = await provider.create(sims, 'other', 1);
    expect((await call(provider.url(sims), 'POST', `/__admin/instances/${other}/exit`, null)).json).toMatchObject({ instance: { statusMessage: 'Exited (1)' } });
    await call(provider.url(sims), 'POST', `/__admin/instances/${other}/stop`, null);
    const third = await provider.create(sims, 'third', 2);
    await call(provider.url(sims), 'POST', `/__admin/instances/${third}/stop`, null);
    expect((await call(provider.url(sims), 'POST', `/__admin/instances/${third}/exit`, null)).status).toBe(409);
    expect((await call(provider.url(sims), 'POST', '/__admin/instances/nope/exit', null)).status).toBe(404);
  });
});

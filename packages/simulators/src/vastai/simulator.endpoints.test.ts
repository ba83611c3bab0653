// The Vast endpoints operators' tools call beyond create/show/destroy: current user, invoices, SSH keys,
// reboot, logs, change bid (interruptible instances), the "scheduling" wait, and hardware from the offer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '@gpu-shopper/domain';
import { call, createVastInstance } from '../test-support/sim-http';
import { VAST_SIM_STARTING_CREDIT_USD } from './account-routes';
import { startVastAiSimulator, type VastAiSimulator } from './simulator';

const KEY = 'vast-endpoints-key';
const BOOT_MS = 60_000;
const clock = new ManualClock('2026-03-01T00:00:00.000Z');
let sim: VastAiSimulator;

beforeAll(async () => {
  sim = await startVastAiSimulator({ seed: 21, offerCount: 120, clock, apiKey: KEY, bootDelayMs: BOOT_MS });
});
afterAll(async () => {
  await sim.close();
});

const show = async (id: string) => (await call(sim.url, 'GET', `/api/v0/instances/${id}/`, KEY)).json.instances as Record<string, unknown>;

describe('Vast simulator: account endpoints', () => {
  it('shows the current user with balance and credit that fall as instances are billed', async () => {
    const before = (await call(sim.url, 'GET', '/api/v0/users/current/', KEY)).json;
    expect(before).toMatchObject({ email: expect.any(String), balance: VAST_SIM_STARTING_CREDIT_USD, credit: VAST_SIM_STARTING_CREDIT_USD, ssh_key: expect.any(String), sid: expect.any(String) });
    expect(typeof before.id).toBe('number');
    await createVastInstance(sim, KEY);
    clock.advance(BOOT_MS + 3_600_000);
    const after = (await call(sim.url, 'GET', '/api/v0/users/current/', KEY)).json;
    expect(after.credit as number).toBeLessThan(VAST_SIM_STARTING_CREDIT_USD);
    expect((await call(sim.url, 'GET', '/api/v0/users/current/', null)).status).toBe(401);
  });

  it('lists invoices (v1, with a when window) and the legacy report with charges', async () => {
    const all = (await call(sim.url, 'GET', `/api/v1/invoices?select_filters=${encodeURIComponent(JSON.stringify({ when: { gte: 0, lte: 4e9 } }))}`, KEY)).json;
    expect(all).toMatchObject({ success: true, count: 1, total: 1, next_token: null });
    expect((all.results as Record<string, unknown>[])[0]).toMatchObject({ amount_cents: VAST_SIM_STARTING_CREDIT_USD * 100, is_credit: true, balance_after: VAST_SIM_STARTING_CREDIT_USD });
    const none = (await call(sim.url, 'GET', `/api/v1/invoices?select_filters=${encodeURIComponent(JSON.stringify({ when: { gte: 0, lte: 10 } }))}`, KEY)).json;
    expect(none.results).toEqual([]);
    const legacy = (await call(sim.url, 'GET', '/api/v0/users/me/invoices?owner=me&inc_charges=true', KEY)).json as { invoices: { type: string; amount: number }[]; current: { total: number } };
    expect(legacy.invoices.some((line) => line.type === 'charge' && line.amount > 0)).toBe(true);
    expect(legacy.current.total).toBeGreaterThan(0);
  });

  it('adds, lists and deletes account SSH keys, refusing what is not a public key', async () => {
    const added = (await call(sim.url, 'POST', '/api/v0/ssh/', KEY, { ssh_key: 'ssh-ed25519 AAAAkey ops@example' })).json as { success: boolean; key: Record<string, unknown> };
    expect(added.success).toBe(true);
    expect(Object.keys(added.key).sort()).toEqual(['created_at', 'deleted_at', 'id', 'public_key', 'user_id']);
    expect((await call(sim.url, 'GET', '/api/v0/ssh/', KEY)).json).toEqual([added.key]);
    expect((await call(sim.url, 'POST', '/api/v0/ssh/', KEY, { ssh_key: '-----BEGIN OPENSSH PRIVATE KEY-----' })).status).toBe(400);
    expect((await call(sim.url, 'DELETE', `/api/v0/ssh/${String(added.key.id)}/`, KEY)).json).toMatchObject({ success: true });
    expect((await call(sim.url, 'GET', '/api/v0/ssh/', KEY)).json).toEqual([]);
  });
});

describe('Vast simulator: instance endpoints', () => {
  it('shows the rented offer’s hardware on the instance (compute capability, CPU, driver)', async () => {
    const id = await createVastInstance(sim, KEY, { offerIndex: 3 });
    const offer = sim.offers.find((candidate) => candidate.id === sim.lifecycle.instances.get(id)!.data.offer.id)!;
    const record = await show(id);
    for (const field of ['compute_cap', 'cpu_name', 'driver_version', 'cuda_max_good', 'gpu_mem_bw', 'pci_gen', 'disk_name', 'mobo_name', 'inet_up']) {
      expect(record[field], field).toEqual(offer.record[field]);
    }
  });

  it('reboots a running instance (rebooting, then running again) and serves its logs at a result_url', async () => {
    const id = await createVastInstance(sim, KEY);
    clock.advance(BOOT_MS);
    expect((await call(sim.url, 'PUT', `/api/v0/instances/reboot/${id}/`, KEY, {})).json).toMatchObject({ success: true });
    expect((await show(id)).actual_status).toBe('rebooting');
    clock.advance(30_000);
    expect((await show(id)).actual_status).toBe('running');
    const logs = (await call(sim.url, 'PUT', `/api/v0/instances/request_logs/${id}/`, KEY, { tail: '2' })).json as { success: boolean; result_url: string };
    expect(logs.success).toBe(true);
    const text = await (await fetch(logs.result_url)).text();
    expect(text.trim().split('\n')).toHaveLength(2);
    expect(text).toContain('success, running ubuntu/ssh');
  });

  it('creates interruptible instances at the bid, stops them when outbid and restarts them when the bid rises', async () => {
    const offer = sim.offers.find((candidate) => !candidate.rented)!;
    const minBid = offer.record.min_bid as number;
    const created = (await call(sim.url, 'PUT', `/api/v0/asks/${offer.id}/`, KEY, { image: 'ubuntu', disk: 10, price: minBid * 1.5 })).json;
    const id = String(created.new_contract);
    clock.advance(BOOT_MS);
    expect(await show(id)).toMatchObject({ is_bid: true, actual_status: 'running', dph_base: minBid * 1.5 });
    expect((await call(sim.url, 'PUT', `/api/v0/instances/bid_price/${id}/`, KEY, { client_id: 'me', price: minBid / 2 })).json).toMatchObject({ success: true });
    clock.advance(BOOT_MS);
    expect(await show(id)).toMatchObject({ cur_state: 'stopped', intended_status: 'stopped', next_state: 'stopped' });
    await call(sim.url, 'PUT', `/api/v0/instances/bid_price/${id}/`, KEY, { client_id: 'me', price: minBid * 2 });
    clock.advance(BOOT_MS);
    expect(await show(id)).toMatchObject({ actual_status: 'running', dph_base: minBid * 2 });
    expect((await call(sim.url, 'PUT', `/api/v0/instances/bid_price/${id}/`, KEY, { price: 500 })).status).toBe(400);
  });

  it('answers a too-low bid at create with the stopped instance it made', async () => {
    const offer = sim.offers.find((candidate) => !candidate.rented)!;
    const created = (await call(sim.url, 'PUT', `/api/v0/asks/${offer.id}/`, KEY, { image: 'ubuntu', disk: 10, price: (offer.record.min_bid as number) / 4 })).json;
    expect(created).toMatchObject({ success: false, new_contract: expect.any(Number) });
    clock.advance(BOOT_MS);
    expect(await show(String(created.new_contract))).toMatchObject({ cur_state: 'stopped', intended_status: 'stopped', is_bid: true });
  });

  it('attaches, lists and detaches instance SSH keys', async () => {
    const id = await createVastInstance(sim, KEY);
    expect((await call(sim.url, 'POST', `/api/v0/instances/${id}/ssh/`, KEY, { ssh_key: 'ssh-rsa AAAAB3 ops' })).json).toEqual({ success: true, msg: 'SSH key attached successfully' });
    const listed = (await call(sim.url, 'GET', `/api/v0/instances/${id}/ssh/`, KEY)).json as { ssh_keys: { id: number; public_key: string }[] };
    expect(listed.ssh_keys).toEqual([{ id: 1, public_key: 'ssh-rsa AAAAB3 ops' }]);
    expect((await call(sim.url, 'DELETE', `/api/v0/instances/${id}/ssh/1/`, KEY)).json).toMatchObject({ success: true });
    expect((await call(sim.url, 'DELETE', `/api/v0/instances/${id}/ssh/1/`, KEY)).status).toBe(404);
  });

  it('keeps a restart in "scheduling" while someone else has the GPU, and starts once it is free', async () => {
    const id = await createVastInstance(sim, KEY);
    clock.advance(BOOT_MS);
    await call(sim.url, 'PUT', `/api/v0/instances/${id}/`, KEY, { state: 'stopped' });
    clock.advance(BOOT_MS);
    expect((await call(sim.url, 'POST', `/__admin/instances/${id}/take-gpu`, null)).status).toBe(200);
    expect((await call(sim.url, 'PUT', `/api/v0/instances/${id}/`, KEY, { state: 'running' })).json).toEqual({ success: true });
    clock.advance(10 * BOOT_MS);
    expect(await show(id)).toMatchObject({ actual_status: 'scheduling', intended_status: 'running' });
    await call(sim.url, 'POST', '/__admin/release-stuck', null);
    clock.advance(BOOT_MS);
    expect((await show(id)).actual_status).toBe('running');
  });
});

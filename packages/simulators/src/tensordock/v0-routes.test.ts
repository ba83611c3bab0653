// The TensorDock v0 surface on the same state as v2: host-node discovery without a token, a v0 deploy
// that v2 lists and bills like its own, v0 list/get/start/stop/delete on VMs of either API, v0's
// form-field auth (never a bearer header), its error shapes, and no rate limit on v0.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '@gpu-shopper/domain';
import { adminBilling, call, createTdInstance } from '../test-support/sim-http';
import { startTensorDockSimulator, type TensorDockSimulator } from './simulator';
import { v0Call, v0DeployFields } from './v0-test-client';

const TOKEN = 'td-v0-token';
const AUTH = { api_key: 'td-v0-key-id', api_token: TOKEN };
const BOOT_MS = 60_000;
const clock = new ManualClock('2026-03-01T00:00:00.000Z');
let sim: TensorDockSimulator;

beforeAll(async () => {
  sim = await startTensorDockSimulator({ seed: 31, hostnodeCount: 24, clock, apiToken: TOKEN, bootDelayMs: BOOT_MS });
});
afterAll(async () => {
  await sim.close();
});

/** A host node with a free GPU and two advertised ports, and those ports as v0 shows them. */
async function v0Host(): Promise<{ host: TensorDockSimulator['hostnodes'][number]; ports: number[] }> {
  const host = sim.hostnodes.find((candidate) => candidate.gpu.availableCount > 0 && candidate.availablePorts.length >= 2)!;
  const read = await v0Call(sim.url, 'GET', `/api/v0/client/deploy/hostnodes/${host.id}`, null);
  return { host, ports: ((read.json.hostnode as { networking: { ports: number[] } }).networking.ports).slice(0, 2) };
}

describe('TensorDock v0: host-node discovery', () => {
  it('lists host nodes by uuid without a token, filters by minGPUCount, and refuses a bad one', async () => {
    const all = await v0Call(sim.url, 'GET', '/api/v0/client/deploy/hostnodes', null);
    expect(all.status).toBe(200);
    expect(all.json.success).toBe(true);
    const records = all.json.hostnodes as Record<string, { specs: { gpu: Record<string, { amount: number; price: number }> }; networking: { ports: number[] }; status: { uptime: number } }>;
    expect(Object.keys(records).sort()).toEqual(sim.hostnodes.map((host) => host.id).sort());
    const host = sim.hostnodes[0]!;
    expect(records[host.id]!.specs.gpu[host.gpu.model.tensordockName]).toEqual({ amount: host.gpu.availableCount, price: host.gpu.pricePerHourUsd });
    expect(records[host.id]!.networking.ports).toEqual(host.availablePorts);
    expect(records[host.id]!.status.uptime).toBeCloseTo(host.uptimePercentage / 100, 6);

    const big = await v0Call(sim.url, 'GET', '/api/v0/client/deploy/hostnodes?minGPUCount=8', null);
    expect(Object.keys(big.json.hostnodes as object).sort()).toEqual(sim.hostnodes.filter((h) => h.gpu.availableCount >= 8).map((h) => h.id).sort());
    const bad = await v0Call(sim.url, 'GET', '/api/v0/client/deploy/hostnodes?minGPUCount=many', null);
    expect(bad).toMatchObject({ status: 400, json: { success: false, error: expect.stringContaining('minGPUCount') } });
  });

  it('shows one host node as dstack read it ({success, hostnode}), 404 for an unknown one', async () => {
    const host = sim.hostnodes[1]!;
    const one = await v0Call(sim.url, 'GET', `/api/v0/client/deploy/hostnodes/${host.id}`, null);
    expect(one.json).toMatchObject({ success: true, hostnode: { location: { id: host.location.id, city: host.location.city } } });
    expect((await v0Call(sim.url, 'GET', '/api/v0/client/deploy/hostnodes/no-such-host', null)).json).toEqual({ success: false, error: 'Hostnode not found' });
  });
});

describe('TensorDock v0: one VM whichever API made it', () => {
  it('deploys through v0 (set-syntax ports, escaped cloud-init) a VM that v2 lists and shows, billed at the deploy answer\'s price', async () => {
    const { host, ports } = await v0Host();
    const gpusBefore = host.gpu.availableCount;
    const deployed = await v0Call(sim.url, 'POST', '/api/v0/client/deploy/single', { ...AUTH, ...v0DeployFields(host, ports, { cloudinit_script: "#cloud-config\\nruncmd:\\n  - export GREETING='hi there'\\n  - [sh, -c, \"echo $GREETING\"]\\n" }) });
    expect(deployed.status).toBe(200);
    expect(deployed.json).toMatchObject({ success: true, server: expect.any(String), ip: expect.any(String), port_forwards: { [String(ports[0])]: '22', [String(ports[1])]: '8787' }, execution_id: expect.any(Number) });
    const id = deployed.json.server as string;
    const cost = deployed.json.cost as { compute_price: number; storage_price: number; total_price: number };
    expect(cost.total_price).toBeCloseTo(cost.compute_price + cost.storage_price, 12);
    expect(host.gpu.availableCount).toBe(gpusBefore - 1);
    expect(host.availablePorts).not.toContain(ports[0]);
    expect(sim.lifecycle.get(id)?.data.cloudInit).toEqual({ runcmd: ["export GREETING='hi there'", ['sh', '-c', 'echo $GREETING']] });

    const shown = (await call(sim.url, 'GET', `/api/v2/instances/${id}`, TOKEN)).json;
    const record = ('data' in shown ? shown.data : shown) as { name: string; rateHourly: number };
    expect(record.name).toBe('v0-vm');
    expect(record.rateHourly).toBeCloseTo(cost.total_price, 12);
    const listed = (await call(sim.url, 'GET', '/api/v2/instances', TOKEN)).json.data as { instances?: { id: string }[]; attributes?: { instances: { id: string }[] } };
    expect((listed.instances ?? listed.attributes!.instances).map((vm) => vm.id)).toContain(id);

    clock.advance(BOOT_MS + 3_600_000);
    const truth = (await adminBilling(sim.url)).find((row) => row.instanceId === id)!;
    expect(truth.computePerHourUsd).toBeCloseTo(cost.compute_price, 12);
    expect(truth.storagePerHourUsd).toBeCloseTo(cost.storage_price, 12);
    expect(truth.computeHours).toBeCloseTo(1, 2);

    const single = await v0Call(sim.url, 'POST', '/api/v0/client/get/single', { ...AUTH, server: id });
    expect(single.json).toMatchObject({ success: true, virtualmachine: { name: 'v0-vm', status: 'Running', cost: cost.compute_price, hostnode: host.id, operating_system: 'Ubuntu 22.04 LTS', specs: { gpu: { amount: 1, type: host.gpu.model.tensordockName }, ram: 4, vcpus: 2, storage: 100 } } });
    const balance = (await v0Call(sim.url, 'POST', '/api/v0/billing/balance', AUTH)).json;
    expect(balance.hourly_cost as number).toBeGreaterThanOrEqual(cost.total_price - 1e-9);
  });

  it('lists, stops, starts and deletes through v0 a VM made through v2; a second delete says "already terminated"', async () => {
    const { id } = await createTdInstance(sim, TOKEN, { name: 'made-by-v2' });
    clock.advance(BOOT_MS);
    const listed = (await v0Call(sim.url, 'POST', '/api/v0/client/list', AUTH)).json;
    const entry = (listed.virtualmachines as Record<string, Record<string, unknown>>)[id]!;
    expect(entry).toMatchObject({ name: 'made-by-v2', status: 'Running', operating_system: 'Ubuntu 24.04 LTS' });
    expect(entry.timestamp_creation).toBe(new Date(sim.lifecycle.get(id)!.createdAtMs).toUTCString());

    expect((await v0Call(sim.url, 'POST', '/api/v0/client/stop/single', { ...AUTH, server: id, disassociate_resources: 'true' })).json).toEqual({ success: true });
    clock.advance(BOOT_MS);
    expect(sim.lifecycle.get(id)?.phase).toBe('stopped');
    expect((await v0Call(sim.url, 'POST', '/api/v0/client/start/single', { ...AUTH, server: id })).json).toEqual({ success: true });
    clock.advance(BOOT_MS);
    expect(sim.lifecycle.get(id)?.phase).toBe('running');

    expect((await v0Call(sim.url, 'POST', '/api/v0/client/delete/single', { ...AUTH, server: id })).json).toEqual({ success: true });
    clock.advance(BOOT_MS);
    expect((await call(sim.url, 'GET', `/api/v2/instances/${id}`, TOKEN)).status).toBe(404);
    const again = (await v0Call(sim.url, 'POST', '/api/v0/client/delete/single', { ...AUTH, server: id })).json;
    expect(again).toMatchObject({ success: false, error: expect.stringContaining('already terminated') });
    expect((await v0Call(sim.url, 'POST', '/api/v0/client/get/single', { ...AUTH, server: id })).json).toMatchObject({ success: false });
  });
});

describe('TensorDock v0: refusals', () => {
  it('answers 400 with v0 errors for malformed deploys, 200 success:false when the host cannot take it', async () => {
    const { host, ports } = await v0Host();
    const deploy = (extra: Record<string, string | number>) => v0Call(sim.url, 'POST', '/api/v0/client/deploy/single', { ...AUTH, ...v0DeployFields(host, ports, extra) });
    const cases: [Record<string, string | number>, string][] = [
      [{ vcpus: 3 }, 'even'],
      [{ internal_ports: '{22}' }, 'paired by position'],
      [{ external_ports: '{22, x}' }, 'port sets'],
      [{ password: '', ssh_key: '' }, 'password or an ssh_key'],
      [{ price_type: 'spot', price: 0.2 }, 'spot'],
      [{ gpu_count: '' }, 'gpu_count'],
      [{ cloudinit_script: 'runcmd:\n  - |\n    echo multi-line' }, 'cloudinit_script'],
    ];
    for (const [extra, mention] of cases) {
      const answer = await deploy(extra);
      expect(answer.status, JSON.stringify(extra)).toBe(400);
      expect(answer.json).toEqual({ success: false, error: expect.stringContaining(mention) });
    }
    const taken = await deploy({ external_ports: '{1, 2}' });
    expect(taken).toMatchObject({ status: 200, json: { success: false, error: expect.stringContaining('Hostnode unavailable') } });
  });

  it('authenticates by the api_token field (form or JSON, or a GET with a form body), never by a bearer header', async () => {
    expect((await v0Call(sim.url, 'POST', '/api/v0/auth/test', AUTH)).json).toEqual({ success: true });
    expect((await v0Call(sim.url, 'GET', '/api/v0/auth/test', AUTH)).json).toEqual({ success: true });
    expect((await v0Call(sim.url, 'POST', '/api/v0/auth/test', { api_token: TOKEN })).json).toEqual({ success: true });
    expect((await call(sim.url, 'POST', '/api/v0/auth/test', null, { api_key: 'k', api_token: TOKEN })).json).toEqual({ success: true });
    const wrong = await v0Call(sim.url, 'POST', '/api/v0/client/list', { api_key: 'k', api_token: 'wrong' });
    expect(wrong).toMatchObject({ status: 401, json: { success: false, error: expect.any(String) } });
    expect(JSON.stringify(wrong.json)).not.toContain('wrong');
    expect((await call(sim.url, 'POST', '/api/v0/client/list', TOKEN, {})).status).toBe(401);
  });

  it('does not rate limit v0 (v0 documents none) while v2 answers 429 past its window', async () => {
    const limited = await startTensorDockSimulator({ seed: 31, hostnodeCount: 4, clock, apiToken: TOKEN, rateLimitPerMinute: 2 });
    try {
      for (let n = 0; n < 3; n++) await call(limited.url, 'GET', '/api/v2/instances', TOKEN);
      expect((await call(limited.url, 'GET', '/api/v2/instances', TOKEN)).status).toBe(429);
      for (let n = 0; n < 5; n++) expect((await v0Call(limited.url, 'POST', '/api/v0/client/list', AUTH)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

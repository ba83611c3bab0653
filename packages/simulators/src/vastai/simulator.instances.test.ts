// The Vast simulator's lifecycle side: node runtime hook, instance-scoped container keys, billing, admin API.
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '@gpu-shopper/domain';
import type { SimNodeLaunch } from '../runtime/node-runtime';
import { startSimulators } from '../start-simulators';
import { startVastAiSimulator, type VastAiSimulator } from './simulator';

const clock = new ManualClock('2026-03-01T00:00:00.000Z');
let sim: VastAiSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function call(method: string, path: string, key: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${sim!.url}${path}`, { method, headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('Vast simulator lifecycle', () => {
  it('starts the node process with env + onstart + CONTAINER_ID/CONTAINER_API_KEY when running, and stops it on stop and destroy', async () => {
    const launches: SimNodeLaunch[] = [];
    let stops = 0;
    sim = await startVastAiSimulator({ seed: 2, offerCount: 50, clock, apiKey: 'acct', bootDelayMs: 10_000, onInstanceRunning: (launch) => (launches.push(launch), { stop: () => void stops++ }) });
    const offerId = sim.offers[0]!.id;
    const created = await call('PUT', `/api/v0/asks/${offerId}/`, 'acct', { image: 'img', disk: 20, label: 'gpu-shopper:d:s', env: { A: '1', '-p 8000:8000': '1' }, onstart: 'run-agent', runtype: 'ssh_direct' });
    expect(created.json).toMatchObject({ success: true });
    const id = String(created.json.new_contract);
    expect(launches).toHaveLength(0);
    clock.advance(10_000);
    sim.tick();
    expect(launches).toHaveLength(1);
    expect(launches[0]).toMatchObject({ provider: 'vastai', instanceId: id, onstart: 'run-agent', label: 'gpu-shopper:d:s' });
    expect(launches[0]!.env).toMatchObject({ A: '1', CONTAINER_ID: id, CONTAINER_API_KEY: created.json.instance_api_key });
    expect(launches[0]!.env.VAST_TCP_PORT_8000).toBe(String(launches[0]!.portMappings[8000]));

    await call('PUT', `/api/v0/instances/${id}/`, 'acct', { state: 'stopped' });
    expect(stops).toBe(1);
    await call('PUT', `/api/v0/instances/${id}/`, 'acct', { state: 'running' });
    clock.advance(10_000);
    sim.tick();
    expect(launches).toHaveLength(2);

    // The container key can destroy its own instance and nothing else.
    const containerKey = String(created.json.instance_api_key);
    const other = await call('PUT', `/api/v0/asks/${sim.offers[1]!.id}/`, 'acct', { image: 'img', disk: 20 });
    expect((await call('DELETE', `/api/v0/instances/${String(other.json.new_contract)}/`, containerKey, {})).status).toBe(403);
    expect((await call('GET', '/api/v1/instances/', containerKey)).status).toBe(403);
    expect((await call('DELETE', `/api/v0/instances/${id}/`, containerKey, {})).json).toMatchObject({ success: true });
    expect(stops).toBe(2);
  });

  it('rejects bad creates like Vast: onstart over 4048 chars, unknown offer, charges without a day filter', async () => {
    sim = await startVastAiSimulator({ seed: 2, offerCount: 10, clock, apiKey: 'acct' });
    expect((await call('PUT', `/api/v0/asks/${sim.offers[0]!.id}/`, 'acct', { image: 'i', onstart: 'x'.repeat(4049) })).status).toBe(400);
    expect((await call('PUT', '/api/v0/asks/1/', 'acct', { image: 'i' })).json).toMatchObject({ error: 'invalid_args' });
    expect((await call('GET', '/api/v0/charges', 'acct')).status).toBe(400);
    const noAuth = await fetch(`${sim.url}/api/v0/charges`);
    expect(noAuth.status).toBe(403);
  });

  it('serves billing ground truth on the admin endpoint and accepts faults over HTTP', async () => {
    sim = await startVastAiSimulator({ seed: 2, offerCount: 10, clock });
    const created = await call('PUT', `/api/v0/asks/${sim.offers[0]!.id}/`, 'k', { image: 'i', disk: 72 });
    clock.advance(3_600_000);
    const billing = (await call('GET', '/__admin/billing', 'k')).json.billing as { instanceId: string; computeHours: number; storageUsd: number }[];
    const row = billing.find((entry) => entry.instanceId === String(created.json.new_contract))!;
    expect(row.computeHours).toBe(1);
    expect(row.storageUsd).toBeCloseTo(((sim.offers[0]!.record.storage_cost as number) * 72) / 720, 9);
    await call('PUT', '/__admin/faults', 'k', { errors: { search: { status: 503, count: 1 } } });
    expect((await call('POST', '/api/v0/bundles/', 'k', {})).status).toBe(503);
    expect((await call('POST', '/api/v0/bundles/', 'k', {})).status).toBe(200);
  });
});

describe('startSimulators', () => {
  it('starts both simulators and closes them', async () => {
    const sims = await startSimulators({ seed: 4, clock, vastOfferCount: 20, tensordockHostnodeCount: 20 });
    try {
      expect((await fetch(`${sims.vastUrl}/api/v0/bundles/`, { method: 'POST', body: '{}' })).status).toBe(200);
      const hostnodes = (await (await fetch(`${sims.tensordockUrl}/api/v2/hostnodes`)).json()) as { data: { hostnodes: unknown[] } };
      expect(hostnodes.data.hostnodes).toHaveLength(20);
    } finally {
      await sims.close();
    }
  });
});

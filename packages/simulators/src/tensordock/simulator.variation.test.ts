// The TensorDock simulator's documented inconsistencies really alternate with a single instance, its
// rate limit answers 429 with headers once a token spends its minute, and some hosts have one free port.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '@gpu-shopper/domain';
import { call, createTdInstance } from '../test-support/sim-http';
import { TD_SINGLE_PORT_HOST_EVERY } from './catalog';
import { startTensorDockSimulator, type TensorDockSimulator } from './simulator';

const TOKEN = 'td-variation-token';
const clock = new ManualClock('2026-03-01T00:00:00.000Z');
let sim: TensorDockSimulator;
let instanceId: string;

beforeAll(async () => {
  sim = await startTensorDockSimulator({ seed: 9, hostnodeCount: 24, clock, apiToken: TOKEN });
  ({ id: instanceId } = await createTdInstance(sim, TOKEN));
});
afterAll(async () => {
  await sim.close();
});

describe('TensorDock simulator: per-response variation with one instance', () => {
  it('serves every GET variant within eight calls: wrapped and flat, both status casings, string ports, padded IPs', async () => {
    const seen = new Set<string>();
    for (let n = 0; n < 8; n++) {
      const { json } = await call(sim.url, 'GET', `/api/v2/instances/${instanceId}`, TOKEN);
      const record = ('data' in json ? json.data : json) as { status: string; ipAddress: string; portForwards: { external_port: unknown }[] };
      seen.add('data' in json ? 'wrapped' : 'flat');
      seen.add(record.status === 'running' ? 'lower' : record.status === 'Running' ? 'capitalized' : `other:${record.status}`);
      seen.add(typeof record.portForwards[0]!.external_port === 'string' ? 'string ports' : 'number ports');
      seen.add(record.ipAddress === record.ipAddress.trim() ? 'trim ip' : 'padded ip');
    }
    expect([...seen].sort()).toEqual(['capitalized', 'flat', 'lower', 'number ports', 'padded ip', 'string ports', 'trim ip', 'wrapped']);
  });

  it('serves both list envelopes and both casings within four calls', async () => {
    const seen = new Set<string>();
    for (let n = 0; n < 4; n++) {
      const { json } = await call(sim.url, 'GET', '/api/v2/instances', TOKEN);
      const data = json.data as { instances?: { attributes: { status: string } }[]; attributes?: { instances: { attributes: { status: string } }[] } };
      seen.add(data.instances ? 'data.instances' : 'data.attributes.instances');
      seen.add((data.instances ?? data.attributes!.instances)[0]!.attributes.status);
    }
    expect([...seen].sort()).toEqual(['Running', 'data.attributes.instances', 'data.instances', 'running']);
  });
});

describe('TensorDock simulator: rate limit', () => {
  it('allows the documented 100 a minute per token, then answers 429 with headers until the window moves', async () => {
    let nowMs = 0;
    const limited = await startTensorDockSimulator({ seed: 9, hostnodeCount: 4, clock, apiToken: TOKEN, rateLimitNowMs: () => nowMs });
    try {
      for (let n = 0; n < 100; n++) expect((await fetch(`${limited.url}/api/v2/locations`, { headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
      const refused = await fetch(`${limited.url}/api/v2/locations`, { headers: { Authorization: `Bearer ${TOKEN}` } });
      expect(refused.status).toBe(429);
      expect(await refused.json()).toEqual({ error: 'Rate limit exceeded', status: 429 });
      expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(refused.headers.get('retry-after')).toBe('60');
      nowMs += 60_000;
      const again = await fetch(`${limited.url}/api/v2/locations`, { headers: { Authorization: `Bearer ${TOKEN}` } });
      expect(again.status).toBe(200);
      expect(again.headers.get('x-ratelimit-limit')).toBe('100');
      expect(again.headers.get('x-ratelimit-remaining')).toBe('99');
    } finally {
      await limited.close();
    }
  });

  it('can be turned off (rateLimitPerMinute: 0)', async () => {
    const nowMs = 0;
    const open = await startTensorDockSimulator({ seed: 9, hostnodeCount: 4, clock, apiToken: TOKEN, rateLimitPerMinute: 0, rateLimitNowMs: () => nowMs });
    try {
      for (let n = 0; n < 110; n++) expect((await fetch(`${open.url}/api/v2/locations`, { headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    } finally {
      await open.close();
    }
  });
});

describe('TensorDock simulator: host nodes with a single free port', () => {
  it('lists them, and a create that needs two ports on one is refused as unavailable', async () => {
    const single = sim.hostnodes.filter((host) => host.availablePorts.length === 1);
    expect(single.length).toBe(Math.floor(sim.hostnodes.length / TD_SINGLE_PORT_HOST_EVERY));
    const host = single[0]!;
    const { json } = await call(sim.url, 'GET', `/api/v2/hostnodes/${host.id}`, TOKEN);
    const port = (json.data as { available_resources: { available_ports: number[] } }).available_resources.available_ports[0]!;
    const created = await call(sim.url, 'POST', '/api/v2/instances', TOKEN, {
      data: {
        attributes: {
          name: 'two-ports',
          hostnode_id: host.id,
          ssh_key: 'ssh-ed25519 AAAA test',
          resources: { vcpu_count: 2, ram_gb: 4, storage_gb: 100, gpus: { [host.gpu.model.tensordockName]: { count: 1 } } },
          port_forwards: [
            { internal_port: 22, external_port: port },
            { internal_port: 8787, external_port: port + 1 },
          ],
        },
      },
    });
    expect(created.json).toEqual({ error: 'Hostnode unavailable', status: 400 });
  });
});

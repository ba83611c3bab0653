// Fixture fidelity: for every recorded provider answer in packages/providers/fixtures, the simulator's
// live answer to the same request has the same field names and types, so the two cannot drift apart.
// Every fixture is served (TensorDock's v0 ones too): a new fixture must be compared here, and the last
// test fails until it is.
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '@gpu-shopper/domain';
import { call } from './test-support/sim-http';
import { shapeDifferences, type ShapeOptions } from './test-support/shape';
import { startTensorDockSimulator, type TensorDockSimulator } from './tensordock/simulator';
import { v0Call, v0DeployFields } from './tensordock/v0-test-client';
import { startVastAiSimulator, type VastAiSimulator } from './vastai/simulator';

const FIXTURES = new URL('../../providers/fixtures/', import.meta.url);
const fixture = <T = Record<string, unknown>>(name: string): T => JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as T;
const covered = new Set<string>();

function expectSameShape(name: string, live: unknown, options: ShapeOptions = {}, recorded: unknown = fixture(name)): void {
  covered.add(name);
  expect(shapeDifferences(recorded, live, options), name).toEqual([]);
}

const KEY = 'fidelity-vast-key';
const TOKEN = 'fidelity-td-token';
const BOOT_MS = 60_000;
const clock = new ManualClock('2026-03-01T00:00:00.000Z');
let vast: VastAiSimulator;
let td: TensorDockSimulator;

beforeAll(async () => {
  vast = await startVastAiSimulator({ seed: 17, offerCount: 60, clock, apiKey: KEY, bootDelayMs: BOOT_MS });
  td = await startTensorDockSimulator({ seed: 17, hostnodeCount: 16, clock, apiToken: TOKEN, bootDelayMs: BOOT_MS });
});
afterAll(async () => {
  await Promise.all([vast.close(), td.close()]);
});

describe('Vast fixtures vs the simulator', () => {
  let instanceId = '';

  it('vast-instances-list-empty.json: the v0 list of an empty account', async () => {
    expectSameShape('vast-instances-list-empty.json', (await call(vast.url, 'GET', '/api/v0/instances/?owner=me', KEY)).json);
  });

  it('vast-bundles-example.json: a search', async () => {
    expectSameShape('vast-bundles-example.json', (await call(vast.url, 'POST', '/api/v0/bundles/', KEY, { limit: 1 })).json);
  });

  it('vast-create-instance-response.json: a create (instance_api_key is documented by the hello-world guide)', async () => {
    const created = await call(vast.url, 'PUT', `/api/v0/asks/${vast.offers[0]!.id}/`, KEY, { image: 'ubuntu', disk: 10, env: { '-p 22:22': '1' } });
    instanceId = String(created.json.new_contract);
    expectSameShape('vast-create-instance-response.json', created.json, { extraAllowed: ['instance_api_key'] });
  });

  it('vast-show-instance-example.json: the instance while loading', async () => {
    clock.advance(BOOT_MS / 2);
    const shown = (await call(vast.url, 'GET', `/api/v0/instances/${instanceId}/?owner=me`, KEY)).json;
    expect((shown.instances as Record<string, unknown>).actual_status).toBe('loading');
    // The fixture went through the CLI, which turns extra_env's [key, value] pairs into an object.
    expectSameShape('vast-show-instance-example.json', shown, { ignore: ['instances.extra_env'] });
  });

  it('vast-instance-ports-example.json: the ports of a running instance', async () => {
    clock.advance(BOOT_MS);
    const shown = (await call(vast.url, 'GET', `/api/v0/instances/${instanceId}/`, KEY)).json.instances as Record<string, unknown>;
    expectSameShape('vast-instance-ports-example.json', shown.ports, { maps: [''] });
  });

  it('vast-charges-example.json: charges over a day', async () => {
    clock.advance(3_600_000);
    const now = Math.floor(clock.now().getTime() / 1000);
    const charges = (await call(vast.url, 'GET', `/api/v0/charges?select_filters=${encodeURIComponent(JSON.stringify({ day: { gte: now - 86_400, lte: now } }))}`, KEY)).json;
    expect((charges.results as unknown[]).length).toBeGreaterThan(0);
    expectSameShape('vast-charges-example.json', charges);
  });

  it('vast-error-examples.json: every error a renter can provoke', async () => {
    const examples = fixture<Record<string, unknown>>('vast-error-examples.json');
    const rented = vast.offers.find((offer) => offer.rented)!;
    const free = vast.offers.find((offer) => !offer.rented)!;
    const now = Math.floor(clock.now().getTime() / 1000);
    // A renter configured with a hosting account's key, asking for another host's offer.
    const otherHost = vast.offers.find((offer) => offer.record.host_id !== free.record.host_id)!.record.host_id;
    await call(vast.url, 'PUT', '/__admin/account', null, { hostId: otherHost });
    const notYourOwn = await call(vast.url, 'PUT', `/api/v0/asks/${free.id}/`, KEY, { image: 'ubuntu' });
    await call(vast.url, 'PUT', '/__admin/account', null, { hostId: null });
    expect(notYourOwn.status).toBe(403);
    /** Rotates through Vast's 429 dialects until the one the example shows comes up. */
    const rateLimited = async (endpoint: string, send: () => Promise<Record<string, unknown>>, want: Record<string, unknown>) => {
      vast.faults.set({ rateLimitStorm: { count: 3, endpoints: [endpoint] } });
      for (let n = 0; n < 3; n++) {
        const body = await send().catch(() => ({}) as Record<string, unknown>);
        if (shapeDifferences(want, body).length === 0) return body;
      }
      return {};
    };
    const live: Record<string, unknown> = {
      create_instance_400: (await call(vast.url, 'PUT', `/api/v0/asks/${free.id}/`, KEY, { disk: 10 })).json,
      create_instance_403: notYourOwn.json,
      create_instance_404: (await call(vast.url, 'PUT', '/api/v0/asks/1/', KEY, { image: 'ubuntu' })).json,
      create_instance_410: (await call(vast.url, 'PUT', `/api/v0/asks/${rented.id}/`, KEY, { image: 'ubuntu' })).json,
      create_instance_429: await rateLimited('create', async () => (await call(vast.url, 'PUT', `/api/v0/asks/${free.id}/`, KEY, { image: 'ubuntu' })).json, examples.create_instance_429 as Record<string, unknown>),
      destroy_instance_400: (await call(vast.url, 'DELETE', '/api/v0/instances/not-an-id/', KEY, {})).json,
      destroy_instance_404: (await call(vast.url, 'DELETE', '/api/v0/instances/1/', KEY, {})).json,
      destroy_instance_429: await rateLimited('destroy', async () => (await call(vast.url, 'DELETE', '/api/v0/instances/1/', KEY, {})).json, examples.destroy_instance_429 as Record<string, unknown>),
      show_instance_401: (await call(vast.url, 'GET', `/api/v0/instances/${instanceId}/`, 'wrong-key')).json,
      bundles_400: (await call(vast.url, 'POST', '/api/v0/bundles/', KEY, { num_gpus: { between: 1 } })).json,
      charges_403_no_auth_header: (await call(vast.url, 'GET', `/api/v0/charges?select_filters=${encodeURIComponent(JSON.stringify({ day: { gte: 0, lte: now } }))}`, null)).json,
      charges_404_unknown_key: (await call(vast.url, 'GET', `/api/v0/charges?select_filters=${encodeURIComponent(JSON.stringify({ day: { gte: 0, lte: now } }))}`, 'wrong-key')).json,
      charges_400_missing_day: (await call(vast.url, 'GET', '/api/v0/charges', KEY)).json,
      v1_instances_400: (await call(vast.url, 'GET', `/api/v1/instances/?select_filters=${encodeURIComponent(JSON.stringify({ dph_total: { lt: 1 } }))}`, KEY)).json,
    };
    vast.faults.clear();
    expect(Object.keys(live).sort()).toEqual(Object.keys(examples).sort());
    expectSameShape('vast-error-examples.json', live, {}, examples);
  });
});

describe('TensorDock fixtures vs the simulator', () => {
  const management = () => fixture<Record<string, unknown>>('tensordock-v2-instance-management-examples.json');
  let instanceId = '';
  let hostId = '';

  it('tensordock-v2-hostnodes-example.json: the host-node listing (max_* limits are documented by the Terraform client)', async () => {
    const limits = ['max_vcpus_per_gpu', 'max_ram_per_gpu', 'max_vcpus', 'max_ram_gb', 'max_storage_gb'].map((key) => `data.hostnodes[].available_resources.${key}`);
    expectSameShape('tensordock-v2-hostnodes-example.json', (await call(td.url, 'GET', '/api/v2/hostnodes', TOKEN)).json, { extraAllowed: limits });
  });

  it('tensordock-v2-locations-example.json: the locations', async () => {
    expectSameShape('tensordock-v2-locations-example.json', (await call(td.url, 'GET', '/api/v2/locations', TOKEN)).json);
  });

  it('tensordock-v2-create-instance-request.json is accepted as sent, and answers like tensordock-v2-create-instance-response.json', async () => {
    const host = td.hostnodes.find((candidate) => candidate.availablePorts.length >= 2 && candidate.gpu.availableCount > 0)!;
    hostId = host.id;
    const ports = ((await call(td.url, 'GET', `/api/v2/hostnodes/${host.id}`, TOKEN)).json.data as { available_resources: { available_ports: number[] } }).available_resources.available_ports;
    const request = fixture<{ data: { attributes: Record<string, unknown> & { resources: { gpus: Record<string, unknown> }; port_forwards: { external_port: number }[] } } }>('tensordock-v2-create-instance-request.json');
    const attributes = request.data.attributes;
    attributes.hostnode_id = host.id;
    attributes.resources.gpus = { [host.gpu.model.tensordockName]: { count: 1 } };
    attributes.port_forwards.forEach((forward, index) => (forward.external_port = ports[index]!));
    const created = await call(td.url, 'POST', '/api/v2/instances', TOKEN, request);
    covered.add('tensordock-v2-create-instance-request.json');
    instanceId = (created.json.data as { id: string }).id;
    expectSameShape('tensordock-v2-create-instance-response.json', created.json);
  });

  it('tensordock-v2-error-in-body-example.json: a create the host cannot take', async () => {
    const created = await call(td.url, 'POST', '/api/v2/instances', TOKEN, {
      data: { attributes: { name: 'x', hostnode_id: hostId, ssh_key: 'ssh-ed25519 AAAA', resources: { vcpu_count: 2, ram_gb: 4, storage_gb: 100, gpus: { 'no-such-gpu': { count: 1 } } }, port_forwards: [] } },
    });
    expect(created.status).toBe(200);
    expectSameShape('tensordock-v2-error-in-body-example.json', created.json);
  });

  it('tensordock-v2-instance-get-example.json: the wrapped get (its numeric-port variant)', async () => {
    clock.advance(BOOT_MS);
    let wrapped: Record<string, unknown> | null = null;
    for (let n = 0; n < 8 && wrapped === null; n++) {
      const { json } = await call(td.url, 'GET', `/api/v2/instances/${instanceId}`, TOKEN);
      const data = json.data as { portForwards?: { external_port: unknown }[] } | undefined;
      if (data && typeof data.portForwards?.[0]?.external_port === 'number') wrapped = json;
    }
    // "type" is in the documented flat shape; the Terraform client's synthetic fixture leaves it out.
    expectSameShape('tensordock-v2-instance-get-example.json', wrapped, { extraAllowed: ['data.type'], maps: ['data.resources.gpus'] });
  });

  it('tensordock-v2-instance-management-examples.json: list, get, start, stop, delete', async () => {
    const examples = management();
    let list: Record<string, unknown> | null = null;
    let flat: Record<string, unknown> | null = null;
    for (let n = 0; n < 4 && (list === null || flat === null); n++) {
      const listed = (await call(td.url, 'GET', '/api/v2/instances', TOKEN)).json;
      if ((listed.data as Record<string, unknown>).instances) list = listed;
      const shown = (await call(td.url, 'GET', `/api/v2/instances/${instanceId}`, TOKEN)).json;
      if (!('data' in shown)) flat = shown;
    }
    const stopped = (await call(td.url, 'POST', `/api/v2/instances/${instanceId}/stop`, TOKEN)).json;
    clock.advance(BOOT_MS);
    const started = (await call(td.url, 'POST', `/api/v2/instances/${instanceId}/start`, TOKEN)).json;
    const deleted = (await call(td.url, 'DELETE', `/api/v2/instances/${instanceId}`, TOKEN)).json;
    // The documented get shape writes types as placeholders ("number"); rateHourly and resources are
    // documented by the Terraform client.
    expectSameShape(
      'tensordock-v2-instance-management-examples.json',
      { list_instances_200: list, get_instance_200_documented_shape: flat, start_instance_200: started, stop_instance_200: stopped, delete_instance_200: deleted },
      { ignore: ['get_instance_200_documented_shape.portForwards'], extraAllowed: ['get_instance_200_documented_shape.rateHourly', 'get_instance_200_documented_shape.resources'] },
      examples,
    );
  });

  it('tensordock-v0-billing-balance-response.json: the account balance', async () => {
    const response = await fetch(`${td.url}/api/v0/billing/balance`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ api_key: 'k', api_token: TOKEN }).toString() });
    expect(response.status).toBe(200);
    expectSameShape('tensordock-v0-billing-balance-response.json', await response.json());
  });

  it('tensordock-v0-hostnodes-example.json: the v0 host-node listing (no token, as on v0)', async () => {
    const listed = await v0Call(td.url, 'GET', '/api/v0/client/deploy/hostnodes', null);
    expect(listed.status).toBe(200);
    expectSameShape('tensordock-v0-hostnodes-example.json', listed.json, { maps: ['hostnodes', 'hostnodes{}.specs.gpu'] });
  });

  let v0Server = '';
  it('tensordock-v0-deploy-single-response.json: a v0 deploy (form fields, set-syntax ports)', async () => {
    const host = td.hostnodes.find((candidate) => candidate.gpu.availableCount > 0 && candidate.availablePorts.length >= 2)!;
    const read = await v0Call(td.url, 'GET', `/api/v0/client/deploy/hostnodes/${host.id}`, null);
    const ports = (read.json.hostnode as { networking: { ports: number[] } }).networking.ports.slice(0, 2);
    const deployed = await v0Call(td.url, 'POST', '/api/v0/client/deploy/single', { api_key: 'k', api_token: TOKEN, ...v0DeployFields(host, ports) });
    expect(deployed.status).toBe(200);
    v0Server = String(deployed.json.server);
    expectSameShape('tensordock-v0-deploy-single-response.json', deployed.json, { maps: ['port_forwards'] });
  });

  it('tensordock-v0-list-response.json: the v0 list', async () => {
    clock.advance(BOOT_MS);
    const listed = await v0Call(td.url, 'POST', '/api/v0/client/list', { api_key: 'k', api_token: TOKEN });
    expect(Object.keys(listed.json.virtualmachines as object)).toContain(v0Server);
    expectSameShape('tensordock-v0-list-response.json', listed.json, { maps: ['virtualmachines', 'virtualmachines{}.port_forwards'] });
  });

  it('tensordock-v0-get-single-response.json: the v0 get', async () => {
    const shown = await v0Call(td.url, 'POST', '/api/v0/client/get/single', { api_key: 'k', api_token: TOKEN, server: v0Server });
    expectSameShape('tensordock-v0-get-single-response.json', shown.json, { maps: ['virtualmachine.port_forwards'] });
  });
});

describe('fixture coverage', () => {
  it('every fixture in the repository was compared with the simulator', () => {
    const all = readdirSync(FIXTURES).filter((name) => name.endsWith('.json')).sort();
    expect([...covered].sort()).toEqual(all);
  });
});

// Test helpers that talk to the simulators over HTTP as a renter would: create an instance on either
// provider (TensorDock's ports taken from the host node's advertised ones, as our adapter does), read
// the admin API, make temp state directories, and wait for what happens on its own.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TensorDockSimulator } from '../tensordock/simulator';
import type { SimBillingRow } from '../shared/admin-routes';
import type { VastAiSimulator } from '../vastai/simulator';

export interface SimAnswer {
  status: number;
  json: Record<string, unknown>;
}

export async function call(baseUrl: string, method: string, path: string, key: string | null, body?: unknown): Promise<SimAnswer> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (key !== null) headers.Authorization = `Bearer ${key}`;
  const response = await fetch(`${baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, json: (text === '' ? {} : JSON.parse(text)) as Record<string, unknown> };
}

/** The agent's env as our server sends it, plus Vast's port requests. */
export function agentEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return { GPU_SHOPPER_SESSION_ID: 'ses_test', GPU_SHOPPER_NODE_TOKEN: 'gsn_test-node-token-0123456789', GPU_SHOPPER_WORKLOAD: 'batch', AGENT_PORT: '8787', ...overrides };
}

/** Creates a Vast instance asking for ports 22 and 8787; returns its id. */
export async function createVastInstance(sim: { url: string; offers: VastAiSimulator['offers'] }, key: string, options: { label?: string; env?: Record<string, string>; offerIndex?: number } = {}): Promise<string> {
  const offer = sim.offers.filter((candidate) => !candidate.rented)[options.offerIndex ?? 0]!;
  const env = { ...options.env, '-p 22:22': '1', '-p 8787:8787': '1' };
  const created = await call(sim.url, 'PUT', `/api/v0/asks/${offer.id}/`, key, { image: 'ubuntu', disk: 10, label: options.label ?? 'test-label', env });
  if (created.json.success !== true) throw new Error(`vast create: ${JSON.stringify(created.json)}`);
  return String(created.json.new_contract);
}

/** Creates a TensorDock VM on a host with a free GPU, forwarding 22 and 8787; returns its id and ports. */
export async function createTdInstance(
  sim: { url: string; hostnodes: TensorDockSimulator['hostnodes'] },
  token: string,
  options: { name?: string; env?: Record<string, string>; hostId?: string } = {},
): Promise<{ id: string; externalPorts: number[]; hostId: string }> {
  const host = options.hostId === undefined ? sim.hostnodes.find((candidate) => candidate.gpu.availableCount > 0 && candidate.availablePorts.length >= 2)! : sim.hostnodes.find((candidate) => candidate.id === options.hostId)!;
  const read = await call(sim.url, 'GET', `/api/v2/hostnodes/${host.id}`, token);
  const advertised = ((read.json.data as { available_resources: { available_ports: number[] } }).available_resources.available_ports).slice(0, 2);
  const exports = Object.entries(options.env ?? {}).map(([name, value]) => `export ${name}='${value}'`);
  const created = await call(sim.url, 'POST', '/api/v2/instances', token, {
    data: {
      attributes: {
        name: options.name ?? 'test-vm',
        hostnode_id: host.id,
        ssh_key: 'ssh-ed25519 AAAA test',
        image: 'ubuntu2404',
        resources: { vcpu_count: 2, ram_gb: 4, storage_gb: 100, gpus: { [host.gpu.model.tensordockName]: { count: 1 } } },
        port_forwards: [
          { internal_port: 22, external_port: advertised[0] },
          { internal_port: 8787, external_port: advertised[1] },
        ],
        cloud_init: { runcmd: [...exports, 'true'] },
      },
    },
  });
  const id = (created.json.data as { id?: string } | undefined)?.id;
  if (id === undefined) throw new Error(`tensordock create: ${JSON.stringify(created.json)}`);
  return { id, externalPorts: advertised, hostId: host.id };
}

export interface AdminRow {
  id: string;
  phase: string;
  label: string | null;
  statusMessage: string | null;
  ports: Record<string, number>;
  nodePid: number | null;
}

export async function adminInstances(baseUrl: string): Promise<AdminRow[]> {
  return (await call(baseUrl, 'GET', '/__admin/instances', null)).json.instances as AdminRow[];
}

export async function adminBilling(baseUrl: string): Promise<SimBillingRow[]> {
  return (await call(baseUrl, 'GET', '/__admin/billing', null)).json.billing as SimBillingRow[];
}

export function tempStateDir(): string {
  return mkdtempSync(join(tmpdir(), 'gpu-shopper-sim-state-'));
}

/** Polls until `probe` returns something truthy (real time; nodes and processes live in it). */
export async function waitFor<T>(probe: () => Promise<T | null | undefined | false> | T | null | undefined | false, what: string | (() => string), timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null && value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

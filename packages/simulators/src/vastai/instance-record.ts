// How a simulated Vast instance looks on the wire: the real record's keys, with the status fields
// (actual_status, intended_status, cur_state, next_state) each phase shows, and ports only once running.
import type { SimInstance } from '../shared/lifecycle';
import type { VastSimOffer } from './catalog';
import { VAST_INSTANCE_TEMPLATE } from './instance-template';

export interface VastInstanceData {
  offer: VastSimOffer;
  label: string | null;
  image: string;
  /** The create env with Docker-flag keys ("-p 8000:8000") kept, as Vast echoes it. */
  env: Record<string, string>;
  onstart: string | null;
  runtype: string;
  diskGb: number;
  containerApiKey: string;
  /** Internal -> external, assigned when the container starts. */
  portMappings: Record<number, number>;
  requestedPorts: number[];
  publicIp: string;
  sshPort: number;
  /** Interruptible: the renter's bid ($/h for the machine); absent for on-demand. */
  bidPerHourUsd?: number | null;
  /** Instance-level SSH keys (account keys are added to every instance as well). */
  sshKeys?: { id: number; publicKey: string }[];
  /** A reboot in progress shows "rebooting" until then; the container and its billing go on. */
  rebootingUntilMs?: number | null;
  /** Someone else rented the GPU while this instance was stopped: a start waits in "scheduling". */
  gpuTaken?: boolean;
  /** A start was asked for while the GPU was taken. */
  scheduling?: boolean;
}

/**
 * Offer keys that describe the machine, not the rental: an instance shows the ones of the offer it was
 * rented from (a real instance's compute_cap, cpu_name or driver are its host's).
 */
const INSTANCE_SPECIFIC_KEYS = new Set(['id', 'disk_space', 'duration', 'start_date', 'end_date', 'rentable', 'rented', 'search', 'instance', 'is_bid', 'score', 'time_remaining', 'time_remaining_isbid', 'webpage', 'logo', 'external']);

const STATUS_FIELDS: Record<SimInstance<VastInstanceData>['phase'], { actual: string | null; intended: string; cur: string; next: string; message: string | null }> = {
  provisioning: { actual: null, intended: 'running', cur: 'running', next: 'running', message: null },
  loading: { actual: 'loading', intended: 'running', cur: 'running', next: 'running', message: '59729b65119e: Pull complete\n' },
  running: { actual: 'running', intended: 'running', cur: 'running', next: 'running', message: 'success, running ' },
  // The container exited on its own while meant to run: Vast's "exited", which never comes back to running.
  failed: { actual: 'exited', intended: 'running', cur: 'running', next: 'running', message: null },
  stopping: { actual: 'running', intended: 'stopped', cur: 'stopped', next: 'stopped', message: 'stopping container' },
  stopped: { actual: 'exited', intended: 'stopped', cur: 'stopped', next: 'stopped', message: 'Exited (0)' },
  // Our simulator's reading of a destroy in progress: the contract is being unloaded.
  exiting: { actual: 'exited', intended: 'stopped', cur: 'stopped', next: 'unloaded', message: 'destroying' },
  destroyed: { actual: 'exited', intended: 'stopped', cur: 'unloaded', next: 'unloaded', message: 'destroyed' },
};

export function renderVastInstance(instance: SimInstance<VastInstanceData>, nowMs: number): Record<string, unknown> {
  const { offer, ...data } = instance.data;
  const status = STATUS_FIELDS[instance.phase];
  const record: Record<string, unknown> = structuredClone({ ...VAST_INSTANCE_TEMPLATE });
  for (const key of Object.keys(record)) {
    if (!INSTANCE_SPECIFIC_KEYS.has(key) && key in offer.record) record[key] = structuredClone(offer.record[key]);
  }
  const dphBase = data.bidPerHourUsd ?? (offer.record.dph_base as number);
  const storageCost = offer.record.storage_cost as number;
  const storageHourUsd = (storageCost * data.diskGb) / 720;
  Object.assign(record, {
    id: Number(instance.id),
    actual_status: status.actual,
    intended_status: status.intended,
    cur_state: status.cur,
    next_state: status.next,
    status_msg: instance.phase === 'running' ? `${status.message}${data.image}/ssh` : instance.phase === 'failed' ? instance.statusMessage : status.message,
    label: data.label,
    image_uuid: data.image,
    image_runtype: data.runtype,
    onstart: data.onstart,
    // The raw API sends extra_env as [key, value] pairs (the CLI turns it into an object).
    extra_env: Object.entries(data.env),
    disk_space: data.diskGb,
    bundle_id: offer.record.bundle_id,
    machine_id: offer.record.machine_id,
    host_id: offer.record.host_id,
    gpu_name: offer.record.gpu_name,
    num_gpus: offer.record.num_gpus,
    gpu_ram: offer.record.gpu_ram,
    gpu_totalram: offer.record.gpu_total_ram,
    cpu_cores: offer.record.cpu_cores,
    cpu_cores_effective: offer.record.cpu_cores_effective,
    cpu_ram: offer.record.cpu_ram,
    geolocation: offer.record.geolocation,
    verification: offer.record.verification,
    reliability2: offer.record.reliability2,
    dph_base: dphBase,
    dph_total: dphBase + storageHourUsd,
    storage_cost: storageCost,
    storage_total_cost: storageHourUsd,
    search: { discountTotalHour: 0, discountedTotalPerHour: dphBase + storageHourUsd, diskHour: storageHourUsd, gpuCostPerHour: dphBase, totalHour: dphBase + storageHourUsd },
    instance: { discountTotalHour: 0, discountedTotalPerHour: storageHourUsd, diskHour: storageHourUsd, gpuCostPerHour: 0, totalHour: storageHourUsd },
    start_date: instance.createdAtMs / 1000,
    end_date: offer.record.end_date,
    duration: Math.max(0, nowMs - instance.createdAtMs) / 1000,
    uptime_mins: instance.phase === 'running' ? Math.floor((nowMs - instance.phaseSinceMs) / 60_000) : null,
    // Real records carry stray whitespace here.
    public_ipaddr: `${data.publicIp}\n`,
    ssh_host: 'ssh4.vast.ai',
    ssh_port: data.sshPort,
    direct_port_start: instance.phase === 'running' ? 40000 : -1,
    direct_port_end: instance.phase === 'running' ? 40100 : -1,
    is_bid: data.bidPerHourUsd !== undefined && data.bidPerHourUsd !== null,
  });
  if (instance.phase === 'running' && (data.rebootingUntilMs ?? 0) > nowMs) {
    record.actual_status = 'rebooting';
    record.status_msg = 'rebooting container';
  }
  if (instance.phase === 'stopped' && data.scheduling) {
    // Asked to start while its GPU is rented to someone else: it waits, possibly for ever.
    Object.assign(record, { actual_status: 'scheduling', intended_status: 'running', next_state: 'running', status_msg: 'Waiting for GPU: the resources on this machine are currently unavailable' });
  }
  if (instance.phase === 'running') {
    // Docker style, HostPort as a string, present only while running.
    record.ports = Object.fromEntries(
      Object.entries(data.portMappings).map(([internal, external]) => [`${internal}/tcp`, [{ HostIp: '0.0.0.0', HostPort: String(external) }]]),
    );
  } else {
    delete record.ports;
  }
  return record;
}

/** Reads Vast's env in both accepted forms: an object, or a Docker-flag string ("-e K=V -p 8000:8000"). */
export function parseVastEnv(raw: unknown): Record<string, string> | null {
  if (raw === undefined || raw === null) return {};
  if (typeof raw === 'object' && !Array.isArray(raw)) {
    return Object.fromEntries(Object.entries(raw as Record<string, unknown>).map(([key, value]) => [key, String(value)]));
  }
  if (typeof raw !== 'string') return null;
  const env: Record<string, string> = {};
  const tokens = raw.match(/(?:[^\s"']+|"[^"]*"|'[^']*')+/g) ?? [];
  for (let index = 0; index < tokens.length; index++) {
    const flag = tokens[index];
    const value = (tokens[index + 1] ?? '').replace(/^["']|["']$/g, '');
    if (flag === '-e') {
      const eq = value.indexOf('=');
      if (eq > 0) env[value.slice(0, eq)] = value.slice(eq + 1);
      index++;
    } else if (flag === '-p' || flag === '-h') {
      env[`${flag} ${value}`] = '1';
      index++;
    }
  }
  return env;
}

/** Internal ports requested with "-p A:B" keys. */
export function requestedVastPorts(env: Record<string, string>): number[] {
  const ports: number[] = [];
  for (const key of Object.keys(env)) {
    const match = /^-p\s+(\d+):(\d+)/.exec(key);
    if (match) ports.push(Number(match[2]));
  }
  return ports;
}

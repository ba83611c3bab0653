// Reads Vast.ai instance records into our ProviderInstance, validated with zod. Handles the quirks:
// ports absent until running with HostPort as a string, whitespace in public_ipaddr, null statuses.
import { z } from 'zod';
import { normalizeGpuModel } from '@gpu-shopper/domain';
import type { InstanceState, ProviderInstance } from '../adapter';
import { ProviderContractError } from '../errors';

const optionalString = z.string().nullable().optional();
const optionalNumber = z.number().nullable().optional();

export const VastInstanceSchema = z.looseObject({
  id: z.number().int(),
  actual_status: optionalString,
  intended_status: optionalString,
  cur_state: optionalString,
  next_state: optionalString,
  status_msg: optionalString,
  label: optionalString,
  gpu_name: optionalString,
  num_gpus: optionalNumber,
  gpu_ram: optionalNumber,
  dph_total: optionalNumber,
  public_ipaddr: optionalString,
  ssh_host: optionalString,
  ssh_port: z.union([z.number(), z.string()]).nullable().optional(),
  start_date: optionalNumber,
  ports: z
    .record(z.string(), z.array(z.looseObject({ HostIp: z.string().optional(), HostPort: z.union([z.string(), z.number()]) })).nullable())
    .nullable()
    .optional(),
});
export type VastInstanceRecord = z.infer<typeof VastInstanceSchema>;

/** GET /api/v0/instances/{id}/: the key is plural, the value one object, or null when gone. */
export const VastShowEnvelopeSchema = z.looseObject({ instances: z.unknown() });
export const VastListV0EnvelopeSchema = z.looseObject({ instances: z.array(z.unknown()) });
export const VastListV1EnvelopeSchema = z.looseObject({ instances: z.array(z.unknown()), next_token: z.string().nullable().optional() });

/**
 * Our state for Vast's status quartet. exited/unknown/offline never reach running (Vast's own advice),
 * and "created" with an OCI error is a failed start.
 */
export function vastInstanceState(record: Pick<VastInstanceRecord, 'actual_status' | 'intended_status' | 'cur_state' | 'next_state' | 'status_msg'>): InstanceState {
  const actual = record.actual_status?.trim().toLowerCase() ?? null;
  const intended = record.intended_status?.trim().toLowerCase() ?? null;
  if (record.cur_state === 'unloaded') return 'terminated';
  if (record.next_state === 'unloaded') return 'destroying';
  if (intended === 'stopped') {
    if (actual === 'running') return 'stopping';
    return 'stopped';
  }
  switch (actual) {
    case null:
    case 'loading':
    case 'scheduling':
    case 'rebooting':
      return 'provisioning';
    case 'created':
      return /OCI runtime create failed/i.test(record.status_msg ?? '') ? 'failed' : 'provisioning';
    case 'running':
      return 'running';
    case 'stopped':
    case 'frozen':
      return 'stopped';
    case 'exited':
    case 'unknown':
    case 'offline':
      return 'failed';
    default:
      return 'unknown';
  }
}

/** Docker-style ports -> internal:external numbers. */
export function parseVastPorts(ports: VastInstanceRecord['ports']): Record<number, number> {
  const mappings: Record<number, number> = {};
  for (const [key, bindings] of Object.entries(ports ?? {})) {
    const internal = Number.parseInt(key, 10);
    const external = Number(bindings?.[0]?.HostPort);
    if (Number.isInteger(internal) && Number.isInteger(external) && external > 0) mappings[internal] = external;
  }
  return mappings;
}

function trimmedOrNull(value: string | null | undefined): string | null {
  const trimmed = value?.trim() ?? '';
  return trimmed === '' ? null : trimmed;
}

export function vastRecordToInstance(record: VastInstanceRecord): ProviderInstance {
  const vramGb = typeof record.gpu_ram === 'number' ? Math.round(record.gpu_ram / 1024) : null;
  const portMappings = parseVastPorts(record.ports);
  const publicIp = trimmedOrNull(record.public_ipaddr);
  const directSsh = portMappings[22];
  const proxySshPort = record.ssh_port === null || record.ssh_port === undefined ? null : Number(record.ssh_port);
  return {
    provider: 'vastai',
    instanceId: String(record.id),
    label: trimmedOrNull(record.label),
    state: vastInstanceState(record),
    providerStatus: record.actual_status ?? null,
    statusMessage: trimmedOrNull(record.status_msg),
    gpuModel: record.gpu_name ? normalizeGpuModel(record.gpu_name, vramGb) : null,
    gpuCount: record.num_gpus ?? null,
    pricePerHourUsd: record.dph_total ?? null,
    publicIp,
    portMappings,
    // Direct SSH when the host published port 22; Vast's proxy otherwise.
    sshHost: directSsh !== undefined ? publicIp : trimmedOrNull(record.ssh_host),
    sshPort: directSsh ?? (Number.isFinite(proxySshPort) ? proxySshPort : null),
    startedAt: typeof record.start_date === 'number' && record.start_date > 0 ? new Date(record.start_date * 1000).toISOString() : null,
  };
}

/** Parses one record or throws a contract error naming what was wrong. */
export function parseVastInstance(raw: unknown): ProviderInstance {
  const parsed = VastInstanceSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ProviderContractError('vastai', `instance record has an unexpected shape (${issue?.path.join('.') ?? '?'}: ${issue?.message ?? '?'})`);
  }
  return vastRecordToInstance(parsed.data);
}

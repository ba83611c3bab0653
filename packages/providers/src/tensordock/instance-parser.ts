// Reads TensorDock v2 instance answers: flat or {"data":...}-wrapped get, both documented list
// envelopes, and status strings in any casing (Running, stopped_disassociated, StoppedDisassociated).
import { z } from 'zod';
import { normalizeGpuModel, vramGbFromName } from '@gpu-shopper/domain';
import type { InstanceState, ProviderInstance } from '../adapter';
import { ProviderContractError } from '../errors';
import { compileRecordCheck } from '../record-check';

const PortForwardSchema = z.looseObject({ internal_port: z.coerce.number().int(), external_port: z.coerce.number().int() });

export const TdInstanceSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string().nullable().optional(),
  status: z.string().nullable().optional(),
  ipAddress: z.string().nullable().optional(),
  rateHourly: z.number().nullable().optional(),
  portForwards: z.array(PortForwardSchema).nullable().optional(),
  resources: z.looseObject({ gpus: z.record(z.string(), z.looseObject({ count: z.number().int().optional() })).nullable().optional() }).nullable().optional(),
});

/** List items come as {type,id,attributes:{name,status}}; accept flat ones too. */
const TdListItemSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string().nullable().optional(),
  status: z.string().nullable().optional(),
  attributes: z.looseObject({ name: z.string().nullable().optional(), status: z.string().nullable().optional() }).nullable().optional(),
});
type TdListItem = z.infer<typeof TdListItemSchema>;
/** A listing of thousands arrives in one response and is read in one go: items in shape skip zod's copy. */
const isTdListItem = compileRecordCheck(TdListItemSchema);

const ListEnvelopeSchema = z.union([
  z.looseObject({ data: z.looseObject({ instances: z.array(z.unknown()) }) }),
  z.looseObject({ data: z.looseObject({ attributes: z.looseObject({ instances: z.array(z.unknown()) }) }) }),
]);

/** Lower-case and strip "_", "-" and spaces, as the Terraform client does, then map. */
export function tensorDockInstanceState(status: string | null | undefined): InstanceState {
  const normalized = (status ?? '').toLowerCase().replace(/[_\-\s]/g, '');
  switch (normalized) {
    case 'running':
      return 'running';
    case 'queued':
    case 'pending':
    case 'creating':
    case 'provisioning':
    case 'starting':
    case 'restarting':
      return 'provisioning';
    case 'stopping':
      return 'stopping';
    case 'stopped':
    case 'stoppeddisassociated':
    case 'outbid':
      return 'stopped';
    case 'deleting':
    case 'terminating':
      return 'destroying';
    case 'deleted':
    case 'terminated':
      return 'terminated';
    case 'error':
    case 'failed':
      return 'failed';
    default:
      return 'unknown';
  }
}

function toInstance(record: z.infer<typeof TdInstanceSchema>): ProviderInstance {
  const portMappings: Record<number, number> = {};
  for (const forward of record.portForwards ?? []) portMappings[forward.internal_port] = forward.external_port;
  // List items carry no resources: no entries array built for each of thousands.
  const gpus = record.resources?.gpus;
  const [gpuName, gpu] = gpus ? (Object.entries(gpus)[0] ?? []) : [];
  const publicIp = record.ipAddress?.trim() || null;
  return {
    provider: 'tensordock',
    instanceId: record.id,
    label: record.name?.trim() || null,
    state: tensorDockInstanceState(record.status),
    providerStatus: record.status ?? null,
    statusMessage: null,
    gpuModel: gpuName ? normalizeGpuModel(gpuName, vramGbFromName(gpuName)) : null,
    gpuCount: gpu?.count ?? null,
    pricePerHourUsd: record.rateHourly ?? null,
    publicIp,
    portMappings,
    sshHost: publicIp,
    sshPort: portMappings[22] ?? null,
    startedAt: null,
  };
}

/** GET /api/v2/instances/{id}: documented flat, also seen wrapped in "data". */
export function parseTensorDockInstance(body: unknown): ProviderInstance {
  const candidate = body !== null && typeof body === 'object' && 'data' in body && !('id' in body) ? (body as { data: unknown }).data : body;
  const parsed = TdInstanceSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ProviderContractError('tensordock', `instance has an unexpected shape (${issue?.path.join('.') ?? '?'}: ${issue?.message ?? '?'})`);
  }
  return toInstance(parsed.data);
}

/** The items of a list answer (either documented envelope), not yet read. */
export function tensorDockInstanceListItems(body: unknown): readonly unknown[] {
  const envelope = ListEnvelopeSchema.safeParse(body);
  if (!envelope.success) throw new ProviderContractError('tensordock', 'instance list has neither data.instances nor data.attributes.instances');
  const data = envelope.data.data as { instances?: unknown[]; attributes?: { instances: unknown[] } };
  return data.instances ?? data.attributes?.instances ?? [];
}

/** One item of a list answer. */
export function parseTensorDockListItem(item: unknown): ProviderInstance {
  let listed: TdListItem;
  if (isTdListItem?.(item)) listed = item as TdListItem;
  else {
    const parsed = TdListItemSchema.safeParse(item);
    if (!parsed.success) throw new ProviderContractError('tensordock', 'instance list item has an unexpected shape');
    listed = parsed.data;
  }
  return toInstance({ id: listed.id, name: listed.attributes?.name ?? listed.name, status: listed.attributes?.status ?? listed.status });
}

export function parseTensorDockInstanceList(body: unknown): ProviderInstance[] {
  return tensorDockInstanceListItems(body).map(parseTensorDockListItem);
}

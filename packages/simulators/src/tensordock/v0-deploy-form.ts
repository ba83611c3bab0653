// Reads a TensorDock v0 deploy (`POST /api/v0/client/deploy/single`, form fields) into the request both
// APIs deploy from. The fields and their quirks are the reference's: ports as set-syntax strings paired
// by position ("{30118, 30117}" with "{22, 80}"), cloud-init as YAML text, and a password that dstack
// says is required even with an SSH key while the SDK says a key is enough (unconfirmed: either is taken).
import type { SimRequest } from '../shared/http-server';
import type { VmRequest } from './deploy';
import { parseV0CloudInit, V0CloudInitError } from './v0-cloud-init';
import { v0Field } from './v0-protocol';

/** What v0 clients sent when they named no operating system (dstack's and the SDK's examples). */
const DEFAULT_V0_OPERATING_SYSTEM = 'Ubuntu 22.04 LTS';

export type V0DeployParse = { request: VmRequest } | { problem: string };

function text(request: SimRequest, name: string): string | undefined {
  const value = v0Field(request, name);
  if (value === undefined || value === null) return undefined;
  const string = String(value).trim();
  return string === '' ? undefined : string;
}

/** "{30118, 30117}", "30118,30117", "[30118, 30117]" or a JSON array: the ports, or null when malformed. */
export function parseV0PortSet(value: unknown): number[] | null {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value)
    ? value.map(String)
    : String(value)
        .trim()
        .replace(/^[{[]|[}\]]$/g, '')
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '');
  const ports = items.map((item) => (/^\d+$/.test(item.trim()) ? Number(item) : Number.NaN));
  return ports.every((port) => Number.isInteger(port) && port >= 1 && port <= 65_535) ? ports : null;
}

export function parseV0Deploy(request: SimRequest): V0DeployParse {
  const required = ['name', 'hostnode', 'gpu_model', 'gpu_count', 'vcpus', 'ram', 'storage'] as const;
  const missing = required.filter((name) => text(request, name) === undefined);
  if (missing.length > 0) return { problem: `missing field${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}` };
  if (text(request, 'password') === undefined && text(request, 'ssh_key') === undefined) return { problem: 'a password or an ssh_key is required' };
  if (text(request, 'price_type') === 'spot') return { problem: 'spot deploys (price_type=spot) are not simulated: deploy on demand' };
  const external = parseV0PortSet(v0Field(request, 'external_ports'));
  const internal = parseV0PortSet(v0Field(request, 'internal_ports'));
  if (external === null || internal === null) return { problem: 'external_ports and internal_ports must be port sets such as "{30118, 30117}"' };
  if (external.length !== internal.length) return { problem: `external_ports has ${external.length} ports and internal_ports ${internal.length}: they are paired by position` };
  let cloudInit: unknown = null;
  const script = text(request, 'cloudinit_script');
  if (script !== undefined) {
    try {
      cloudInit = parseV0CloudInit(script);
    } catch (error) {
      if (error instanceof V0CloudInitError) return { problem: error.message };
      throw error;
    }
  }
  return {
    request: {
      name: text(request, 'name')!,
      hostnodeId: text(request, 'hostnode')!,
      gpuModel: text(request, 'gpu_model'),
      gpuCount: Number(text(request, 'gpu_count')),
      vcpus: Number(text(request, 'vcpus')),
      ramGb: Number(text(request, 'ram')),
      storageGb: Number(text(request, 'storage')),
      portForwards: external.map((externalPort, index) => ({ internal_port: internal[index]!, external_port: externalPort })),
      cloudInit,
      sshKey: text(request, 'ssh_key') ?? null,
      image: text(request, 'operating_system') ?? DEFAULT_V0_OPERATING_SYSTEM,
    },
  };
}

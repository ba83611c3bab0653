// Renting a VM on a host node, shared by the v2 create and the v0 deploy: both APIs take from the same
// host-node capacity, claim the same ports and bill the same way, so a VM made through either is one VM
// that the other API lists. Each API parses its own request into a VmRequest and renders the outcome.
import type { FaultInjector } from '../shared/faults';
import type { InstanceLifecycle, SimInstance } from '../shared/lifecycle';
import { claimPorts, type PortClaim } from '../shared/node-ports';
import { freshenAdvertisedPorts } from './advertised-ports';
import type { TdSimHostnode } from './catalog';
import type { TdInstanceData } from './instance-data';

/** A VM as asked for (v0 or v2): the instance's own fields, and the host node and GPU by name. */
export type VmRequest = Pick<TdInstanceData, 'name' | 'gpuCount' | 'vcpus' | 'ramGb' | 'storageGb' | 'portForwards' | 'cloudInit' | 'sshKey' | 'image'> & {
  hostnodeId: string;
  /** The v0Name of the GPU asked for; undefined when the request named none. */
  gpuModel: string | undefined;
};

export type DeployOutcome =
  /** The request itself is wrong (the same request will never work). */
  | { kind: 'invalid'; message: string }
  /** The host cannot take it now (gone, too few GPUs/vCPUs/RAM/storage, a port not free). */
  | { kind: 'unavailable' }
  /** Created; `failingStatus` when a fault makes the answer an error although the VM exists. */
  | { kind: 'created'; instance: SimInstance<TdInstanceData>; failingStatus: number | null };

export interface VmDeployContext {
  hostById: ReadonlyMap<string, TdSimHostnode>;
  lifecycle: InstanceLifecycle<TdInstanceData>;
  faults: FaultInjector;
  /** External ports per VM, held from create until the node starts, released when it is deleted. */
  portClaims: Map<string, PortClaim>;
  /** A new VM id and the IP address it gets. */
  allocate(): { id: string; ipAddress: string };
  /** The id is handed out: it must survive a crash right after the answer. */
  persist(): void;
}

type HeldResources = Pick<TdInstanceData, 'host' | 'gpuCount' | 'vcpus' | 'ramGb' | 'storageGb' | 'portForwards'>;

/** Gives a VM's GPUs, vCPUs, RAM, storage and external ports back to its host node. */
export function releaseHostResources(data: HeldResources): void {
  data.host.gpu.availableCount += data.gpuCount;
  data.host.vcpuCount += data.vcpus;
  data.host.ramGb += data.ramGb;
  data.host.storageGb += data.storageGb;
  data.host.availablePorts.push(...data.portForwards.map((forward) => forward.external_port));
}

function invalidReason(request: VmRequest, minStorageGb: number): string | null {
  if (request.name === '') return 'name is required';
  if (!Number.isInteger(request.vcpus) || request.vcpus < 2 || request.vcpus % 2 !== 0) return `the vCPU count must be an even number >= 2 (got ${request.vcpus})`;
  if (!Number.isInteger(request.gpuCount) || request.gpuCount < 0) return `the GPU count must be a whole number (got ${request.gpuCount})`;
  if (!Number.isFinite(request.ramGb) || request.ramGb < 2) return `RAM must be at least 2 GB (got ${request.ramGb})`;
  if (!Number.isFinite(request.storageGb) || request.storageGb < minStorageGb) return `storage must be at least ${minStorageGb} GB (got ${request.storageGb})`;
  const external = request.portForwards.map((forward) => forward.external_port);
  if (request.portForwards.some((forward) => !Number.isInteger(forward.internal_port) || !Number.isInteger(forward.external_port))) return 'port forwards must be whole port numbers';
  if (new Set(external).size !== external.length) return 'an external port is forwarded twice';
  return null;
}

/** Rents `request` on its host node: the capacity checks, the resources and ports taken, the VM billed. */
export async function deployVm(context: VmDeployContext, request: VmRequest, options: { minStorageGb: number }): Promise<DeployOutcome> {
  const invalid = invalidReason(request, options.minStorageGb);
  if (invalid !== null) return { kind: 'invalid', message: invalid };
  const host = context.hostById.get(request.hostnodeId);
  const externalPorts = request.portForwards.map((forward) => forward.external_port);
  const { gpuCount, vcpus, ramGb, storageGb } = request;
  const fits =
    host !== undefined &&
    request.gpuModel === host.gpu.model.tensordockName &&
    gpuCount >= 1 &&
    gpuCount <= host.gpu.availableCount &&
    vcpus <= host.vcpuCount &&
    ramGb <= host.ramGb &&
    storageGb <= host.storageGb &&
    externalPorts.every((port) => host.availablePorts.includes(port));
  if (!fits || host === undefined) return { kind: 'unavailable' };
  host.gpu.availableCount -= gpuCount;
  host.vcpuCount -= vcpus;
  host.ramGb -= ramGb;
  host.storageGb -= storageGb;
  host.availablePorts = host.availablePorts.filter((port) => !externalPorts.includes(port));
  const ports = await claimPorts(externalPorts);
  if (ports === null) {
    // Advertised but taken on this machine since it was read: the host cannot forward it, as on a real
    // node whose port went to someone else. Give everything back with fresh ports for the retry.
    releaseHostResources({ host, gpuCount, vcpus, ramGb, storageGb, portForwards: externalPorts.map((port) => ({ internal_port: 0, external_port: port })) });
    await freshenAdvertisedPorts(host, externalPorts);
    return { kind: 'unavailable' };
  }
  const computePerHourUsd = gpuCount * host.gpu.pricePerHourUsd + vcpus * host.pricing.per_vcpu_hr + ramGb * host.pricing.per_gb_ram_hr;
  const storagePerHourUsd = storageGb * host.pricing.per_gb_storage_hr;
  const { id, ipAddress } = context.allocate();
  context.portClaims.set(id, ports);
  const instance = context.lifecycle.create(
    id,
    {
      name: request.name,
      host,
      gpuCount,
      vcpus,
      ramGb,
      storageGb,
      portForwards: request.portForwards.map((forward) => ({ ...forward })),
      cloudInit: request.cloudInit,
      sshKey: request.sshKey,
      image: request.image,
      ipAddress,
      rateHourlyUsd: computePerHourUsd + storagePerHourUsd,
    },
    { computePerHourUsd, storagePerHourUsd },
    { stuckLoading: context.faults.take('stuckLoading') !== null },
  );
  context.persist();
  const failing = context.faults.take('createErrorsButCreates');
  return { kind: 'created', instance, failingStatus: failing ? (failing.status ?? 500) : null };
}

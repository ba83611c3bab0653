// TensorDock v0 records as the reference's fixtures show them: host nodes keyed by uuid with
// {location, networking, specs, status}, and VMs with capitalized status, external->internal port maps
// as strings, RFC 1123 creation times and `cost` as the VM's compute price per hour (the v0 list fixture
// shows its VM at the deploy answer's compute_price). A VM made through v2 renders here as well.
import type { SimInstance } from '../shared/lifecycle';
import type { TdSimHostnode } from './catalog';
import { tensorDockStatusText, type TdInstanceData } from './instance-data';
import { casedStatus } from './response-variation';

const CPU_TYPES = ['AMD EPYC 7513 32-Core Processor', 'AMD Ryzen 9 5950X', 'Intel Xeon Gold 6338', 'AMD EPYC 9354 32-Core Processor'];

/** v0 `/client/deploy/hostnodes` record for a host node (what is free on it now). */
export function renderV0Hostnode(host: TdSimHostnode): Record<string, unknown> {
  return {
    location: { city: host.location.city, country: host.location.country, dc: null, id: host.location.id, region: host.location.stateprovince },
    networking: { ports: [...host.availablePorts], receive: 1000, send: 1000 },
    specs: {
      // The catalog has no CPU names; one is chosen from the host's id so it never changes between reads.
      cpu: { amount: host.vcpuCount, price: host.pricing.per_vcpu_hr, type: CPU_TYPES[Number.parseInt(host.id.slice(0, 2), 16) % CPU_TYPES.length] },
      gpu: { [host.gpu.model.tensordockName]: { amount: host.gpu.availableCount, price: host.gpu.pricePerHourUsd } },
      ram: { amount: host.ramGb, price: host.pricing.per_gb_ram_hr },
      storage: { amount: host.storageGb, price: host.pricing.per_gb_storage_hr },
    },
    status: { listed: true, online: true, report: `https://monitor.m.tensordock.com/report/uptime/${host.id.replace(/-/g, '')}/`, uptime: host.uptimePercentage / 100 },
  };
}

/** "Ubuntu 24.04 LTS" for a v2 image slug (ubuntu2404); a v0 operating_system name stays as it was sent. */
export function v0OperatingSystem(image: string): string {
  const slug = /^ubuntu(\d\d)(\d\d)$/.exec(image);
  return slug ? `Ubuntu ${slug[1]}.${slug[2]} LTS` : image;
}

/** A VM as v0 shows it: `list` (the /client/list entry) or `single` (/client/get/single adds hostname, storage, type). */
export function renderV0Vm(instance: SimInstance<TdInstanceData>, detail: 'list' | 'single'): Record<string, unknown> {
  const data = instance.data;
  const record: Record<string, unknown> = {
    cost: instance.computePerHourUsd,
    location: data.host.location.id,
    hostnode: data.host.id,
    name: data.name,
    operating_system: v0OperatingSystem(data.image),
    port_forwards: Object.fromEntries(data.portForwards.map((forward) => [String(forward.external_port), String(forward.internal_port)])),
    specs: { gpu: { amount: data.gpuCount, type: data.host.gpu.model.tensordockName }, ram: data.ramGb, vcpus: data.vcpus },
    status: casedStatus(tensorDockStatusText(instance.phase), true),
    timestamp_creation: new Date(instance.createdAtMs).toUTCString(),
  };
  if (detail === 'list') return record;
  // The simulator rents on demand only; "spot" is the other type the reference shows.
  return { ...record, hostname: data.ipAddress, specs: { ...(record.specs as Record<string, unknown>), storage: data.storageGb }, type: 'on-demand' };
}

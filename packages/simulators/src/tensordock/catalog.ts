// A seeded TensorDock v2 marketplace: locations and host nodes with free GPUs, vCPUs, RAM, storage and ports.
// Resources are taken on create and returned on delete, so capacity really runs out.
import { between, createRandom, intBetween, pick, pickWeighted, type Random } from '../shared/prng';
import { SIM_GPU_MODELS, type SimGpuModel } from '../shared/gpu-catalog';

export interface TdSimLocation {
  id: string;
  city: string;
  stateprovince: string;
  country: string;
  tier: number;
}

export interface TdSimHostnode {
  id: string;
  location: TdSimLocation;
  uptimePercentage: number;
  gpu: { model: SimGpuModel; availableCount: number; pricePerHourUsd: number };
  vcpuCount: number;
  ramGb: number;
  storageGb: number;
  maxVcpusPerGpu: number;
  maxRamPerGpu: number;
  availablePorts: number[];
  pricing: { per_vcpu_hr: number; per_gb_ram_hr: number; per_gb_storage_hr: number };
}

const LOCATIONS: readonly Omit<TdSimLocation, 'id' | 'tier'>[] = [
  { city: 'Ashburn', stateprovince: 'VA', country: 'USA' },
  { city: 'Austin', stateprovince: 'Texas', country: 'United States' },
  { city: 'Chicago', stateprovince: 'Illinois', country: 'United States' },
  { city: 'Las Vegas', stateprovince: 'Nevada', country: 'United States' },
  { city: 'Toronto', stateprovince: 'Ontario', country: 'Canada' },
  { city: 'Amsterdam', stateprovince: 'North Holland', country: 'Netherlands' },
  { city: 'Frankfurt', stateprovince: 'Hesse', country: 'Germany' },
  { city: 'Helsinki', stateprovince: 'Uusimaa', country: 'Finland' },
  { city: 'London', stateprovince: 'England', country: 'United Kingdom' },
  { city: 'Tokyo', stateprovince: 'Tokyo', country: 'Japan' },
  { city: 'Singapore', stateprovince: 'Singapore', country: 'Singapore' },
  { city: 'Sydney', stateprovince: 'NSW', country: 'Australia' },
];

function uuid(random: Random): string {
  const hex = () => Math.floor(random() * 16).toString(16);
  const part = (length: number) => Array.from({ length }, hex).join('');
  return `${part(8)}-${part(4)}-4${part(3)}-a${part(3)}-${part(12)}`;
}

function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

export function generateTensorDockCatalog(options: { seed: number; hostnodeCount: number }): { locations: TdSimLocation[]; hostnodes: TdSimHostnode[] } {
  const random = createRandom(options.seed ^ 0x7d);
  const locations = LOCATIONS.map((location) => ({ ...location, id: uuid(random), tier: intBetween(random, 1, 3) }));
  const modelWeights = SIM_GPU_MODELS.map((model) => [model, model.weight] as const);
  const hostnodes: TdSimHostnode[] = [];
  for (let index = 0; index < options.hostnodeCount; index++) {
    const model = pickWeighted(random, modelWeights);
    const gpuCount = pick(random, [1, 2, 4, 4, 8, 8]);
    const vcpuCount = gpuCount * pick(random, [8, 12, 16]);
    const firstPort = 20_000 + index * 50;
    hostnodes.push({
      id: uuid(random),
      location: pick(random, locations),
      uptimePercentage: round(random() < 0.85 ? between(random, 98, 99.99) : between(random, 85, 98), 2),
      gpu: { model, availableCount: gpuCount, pricePerHourUsd: round(between(random, model.pricePerGpuHourUsd[0], model.pricePerGpuHourUsd[1]), 3) },
      vcpuCount,
      ramGb: gpuCount * pick(random, [32, 64, 128]),
      storageGb: pick(random, [1000, 2000, 4000, 8000]),
      maxVcpusPerGpu: pick(random, [8, 12, 16]),
      maxRamPerGpu: pick(random, [32, 64, 128]),
      availablePorts: Array.from({ length: intBetween(random, 2, 20) }, (_, n) => firstPort + n),
      pricing: { per_vcpu_hr: round(between(random, 0.002, 0.012), 4), per_gb_ram_hr: round(between(random, 0.001, 0.004), 4), per_gb_storage_hr: pick(random, [0.00005, 0.0001, 0.00015]) },
    });
  }
  // Some hosts have a single free port: listed like any other, but no VM needing SSH plus another
  // port fits (our adapter must not offer them). Chosen by position so the seeded draws stay as they were.
  for (const [index, host] of hostnodes.entries()) {
    if (index % TD_SINGLE_PORT_HOST_EVERY === TD_SINGLE_PORT_HOST_EVERY - 1) host.availablePorts = host.availablePorts.slice(0, 1);
  }
  return { locations, hostnodes };
}

/** One host in this many advertises a single free port. */
export const TD_SINGLE_PORT_HOST_EVERY = 8;

/** GET /api/v2/hostnodes record for a host, as TensorDock serves it. */
export function renderHostnode(host: TdSimHostnode): Record<string, unknown> {
  return {
    id: host.id,
    location_id: host.location.id,
    engine: 'kvm',
    uptime_percentage: host.uptimePercentage,
    available_resources: {
      gpus: host.gpu.availableCount > 0 ? [{ v0Name: host.gpu.model.tensordockName, availableCount: host.gpu.availableCount, price_per_hr: host.gpu.pricePerHourUsd }] : [],
      vcpu_count: host.vcpuCount,
      ram_gb: host.ramGb,
      storage_gb: host.storageGb,
      max_vcpus_per_gpu: host.maxVcpusPerGpu,
      max_ram_per_gpu: host.maxRamPerGpu,
      max_vcpus: host.vcpuCount,
      max_ram_gb: host.ramGb,
      max_storage_gb: host.storageGb,
      available_ports: [...host.availablePorts],
      has_public_ip_available: true,
    },
    pricing: { ...host.pricing },
    location: {
      uuid: host.location.id,
      city: host.location.city,
      stateprovince: host.location.stateprovince,
      country: host.location.country,
      has_network_storage: false,
      network_speed_gbps: 10,
      network_speed_upload_gbps: 10,
      organization: 'tensordock-sim',
      organizationName: 'TensorDock Simulator',
      tier: host.location.tier,
    },
  };
}

/** GET /api/v2/locations: per location, the GPU models on offer with their limits and pricing. */
export function renderLocations(locations: TdSimLocation[], hostnodes: TdSimHostnode[]): Record<string, unknown>[] {
  return locations.map((location) => {
    const byModel = new Map<string, TdSimHostnode[]>();
    for (const host of hostnodes) {
      if (host.location.id !== location.id || host.gpu.availableCount === 0) continue;
      const list = byModel.get(host.gpu.model.tensordockName) ?? [];
      list.push(host);
      byModel.set(host.gpu.model.tensordockName, list);
    }
    return {
      id: location.id,
      city: location.city,
      stateprovince: location.stateprovince,
      country: location.country,
      tier: location.tier,
      gpus: [...byModel.entries()].map(([v0Name, hosts]) => {
        const cheapest = hosts.reduce((best, host) => (host.gpu.pricePerHourUsd < best.gpu.pricePerHourUsd ? host : best));
        return {
          v0Name,
          displayName: cheapest.gpu.model.displayName,
          max_count: Math.max(...hosts.map((host) => host.gpu.availableCount)),
          price_per_hr: cheapest.gpu.pricePerHourUsd,
          resources: { max_vcpus: Math.max(...hosts.map((h) => h.vcpuCount)), max_ram_gb: Math.max(...hosts.map((h) => h.ramGb)), max_storage_gb: Math.max(...hosts.map((h) => h.storageGb)) },
          pricing: { ...cheapest.pricing },
          network_features: { dedicated_ip_available: true, port_forwarding_available: true, network_storage_available: false },
        };
      }),
    };
  });
}

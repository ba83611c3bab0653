// Builds Offers from TensorDock v2 host nodes. TensorDock sells configurable VMs, so we choose the
// configuration: per GPU count, even vCPUs and RAM within the host's limits, storage >= 100 GB, priced additively.
// Host records already in shape pass a check compiled from the same schema (record-check.ts), without zod copying each.
import { z } from 'zod';
import { vramGbFromName, type Offer } from '@gpu-shopper/domain';
import { cachedGpuModel } from '../gpu-model-cache';
import { ProviderContractError } from '../errors';
import { compileRecordCheck } from '../record-check';
import type { OfferParseContext, ParsedOffers } from '../vastai/offer-parser';
import { countryCode } from './country-codes';

export const TD_MIN_STORAGE_GB = 100;
/** Free external ports a VM of ours needs: SSH and the agent's port. */
export const TD_MIN_FREE_PORTS = 2;
/** What we give each GPU when the host allows it: enough for model loading, not so much that price balloons. */
export const TD_DEFAULT_VCPUS_PER_GPU = 8;
export const TD_DEFAULT_RAM_GB_PER_GPU = 32;
const GPU_COUNTS = [1, 2, 4, 8] as const;

const optionalNumber = z.number().nullable().optional();

const PricingSchema = z.object({ per_vcpu_hr: z.number().nonnegative(), per_gb_ram_hr: z.number().nonnegative(), per_gb_storage_hr: z.number().nonnegative() });

export const TdHostnodeSchema = z.object({
  id: z.string().min(1),
  location_id: z.string().nullable().optional(),
  uptime_percentage: optionalNumber,
  available_resources: z.object({
    gpus: z.array(z.object({ v0Name: z.string(), availableCount: z.number().int().nonnegative(), price_per_hr: z.number().nonnegative() })),
    vcpu_count: z.number().nonnegative(),
    ram_gb: z.number().nonnegative(),
    storage_gb: z.number().nonnegative(),
    max_vcpus_per_gpu: optionalNumber,
    max_ram_per_gpu: optionalNumber,
    max_vcpus: optionalNumber,
    max_ram_gb: optionalNumber,
    max_storage_gb: optionalNumber,
    available_ports: z.array(z.number().int()).nullable().optional(),
  }),
  pricing: PricingSchema.nullable().optional(),
  location: z
    .looseObject({ city: z.string().nullable().optional(), stateprovince: z.string().nullable().optional(), country: z.string().nullable().optional() })
    .nullable()
    .optional(),
});
export type TdHostnode = z.infer<typeof TdHostnodeSchema>;
const isTdHostnode = compileRecordCheck(TdHostnodeSchema);

export const TdHostnodesEnvelopeSchema = z.looseObject({ data: z.looseObject({ hostnodes: z.array(z.unknown()) }) });

export const TdLocationSchema = z.looseObject({
  id: z.string(),
  city: z.string().nullable().optional(),
  stateprovince: z.string().nullable().optional(),
  country: z.string().nullable().optional(),
  gpus: z.array(z.looseObject({ v0Name: z.string(), pricing: PricingSchema.nullable().optional() })).optional(),
});
export type TdLocation = z.infer<typeof TdLocationSchema>;
export const TdLocationsEnvelopeSchema = z.looseObject({ data: z.looseObject({ locations: z.array(TdLocationSchema) }) });

function evenFloor(value: number): number {
  return Math.floor(value / 2) * 2;
}

function region(city: string | null | undefined, state: string | null | undefined): string | null {
  const parts = [city, state].map((part) => part?.trim() ?? '').filter((part) => part !== '');
  return parts.length === 0 ? null : parts.join(', ');
}

/** Offers for one validated host node: one per GPU model and GPU count that fits. */
export function tensorDockHostnodeOffers(host: TdHostnode, context: OfferParseContext, locations: ReadonlyMap<string, TdLocation> = new Map()): Offer[] {
  const resources = host.available_resources;
  const location = host.location ?? (host.location_id ? locations.get(host.location_id) : undefined) ?? null;
  const storageGb = Math.max(TD_MIN_STORAGE_GB, Math.ceil(context.diskGb));
  const maxStorageGb = Math.min(resources.storage_gb, resources.max_storage_gb ?? Number.POSITIVE_INFINITY);
  // Every create forwards SSH and the agent's port, each to a distinct free external port: a host with
  // fewer would fail every create, so it is not an offer.
  if (storageGb > maxStorageGb || new Set(resources.available_ports ?? []).size < TD_MIN_FREE_PORTS) return [];
  const offers: Offer[] = [];
  const fetchedAt = context.fetchedAtIso ?? context.now.toISOString();
  // Per host, not per offer: every offer of a host shares its place and uptime.
  const hostRegion = region(location?.city, location?.stateprovince);
  const hostCountry = countryCode(location?.country);
  const reliability = typeof host.uptime_percentage === 'number' ? Math.min(1, Math.max(0, Math.round(host.uptime_percentage * 100) / 10_000)) : null;
  for (const gpu of resources.gpus) {
    const pricing = host.pricing ?? (host.location_id ? locations.get(host.location_id)?.gpus?.find((g) => g.v0Name === gpu.v0Name)?.pricing : null) ?? null;
    if (!pricing) continue;
    const vramGbPerGpu = vramGbFromName(gpu.v0Name) ?? 0;
    for (const gpuCount of GPU_COUNTS) {
      if (gpuCount > gpu.availableCount) break;
      const vcpus = evenFloor(Math.min(gpuCount * Math.min(resources.max_vcpus_per_gpu ?? TD_DEFAULT_VCPUS_PER_GPU, TD_DEFAULT_VCPUS_PER_GPU), resources.vcpu_count, resources.max_vcpus ?? Number.POSITIVE_INFINITY));
      const ramGb = evenFloor(Math.min(gpuCount * Math.min(resources.max_ram_per_gpu ?? TD_DEFAULT_RAM_GB_PER_GPU, TD_DEFAULT_RAM_GB_PER_GPU), resources.ram_gb, resources.max_ram_gb ?? Number.POSITIVE_INFINITY));
      if (vcpus < 2 || ramGb < 2) break;
      const computePerHourUsd = gpuCount * gpu.price_per_hr + vcpus * pricing.per_vcpu_hr + ramGb * pricing.per_gb_ram_hr;
      const storagePerHourUsd = storageGb * pricing.per_gb_storage_hr;
      offers.push({
        id: `tensordock:${host.id}:${gpu.v0Name}:${gpuCount}`,
        provider: 'tensordock',
        providerOfferId: host.id,
        gpuModel: cachedGpuModel(gpu.v0Name, vramGbPerGpu || null),
        providerGpuName: gpu.v0Name,
        gpuCount,
        vramGbPerGpu,
        pricePerHourUsd: computePerHourUsd + storagePerHourUsd,
        priceBreakdown: { computePerHourUsd, storagePerHourUsd },
        region: hostRegion,
        country: hostCountry,
        reliability,
        // TensorDock does not say how long a host stays listed.
        availableForHours: null,
        cpuCores: vcpus,
        ramGb,
        diskGb: storageGb,
        // TensorDock vets its hosts itself; there is no per-host verification flag.
        verified: true,
        fetchedAt,
        stale: false,
      });
    }
  }
  return offers;
}

/** Parses a whole hostnodes response (plus locations, for hosts that carry only a location_id). */
export function parseTensorDockHostnodes(body: unknown, context: OfferParseContext, locationsBody?: unknown): ParsedOffers {
  const envelope = TdHostnodesEnvelopeSchema.safeParse(body);
  if (!envelope.success) throw new ProviderContractError('tensordock', 'hostnodes response has no data.hostnodes array');
  const locations = new Map<string, TdLocation>();
  if (locationsBody !== undefined) {
    const parsedLocations = TdLocationsEnvelopeSchema.safeParse(locationsBody);
    if (!parsedLocations.success) throw new ProviderContractError('tensordock', 'locations response has no data.locations array');
    for (const location of parsedLocations.data.data.locations) locations.set(location.id, location);
  }
  const offers: Offer[] = [];
  const skipReasons: string[] = [];
  const perHost: OfferParseContext = { ...context, fetchedAtIso: context.now.toISOString() };
  for (const record of envelope.data.data.hostnodes) {
    if (isTdHostnode?.(record)) {
      offers.push(...tensorDockHostnodeOffers(record as TdHostnode, perHost, locations));
      continue;
    }
    const parsed = TdHostnodeSchema.safeParse(record);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      skipReasons.push(`${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'bad shape'}`);
      continue;
    }
    offers.push(...tensorDockHostnodeOffers(parsed.data, perHost, locations));
  }
  if (envelope.data.data.hostnodes.length > 0 && skipReasons.length === envelope.data.data.hostnodes.length) {
    throw new ProviderContractError('tensordock', `no hostnode record had the expected shape (first problem: ${skipReasons[0] ?? '?'})`);
  }
  return { offers, skippedCount: skipReasons.length, skipReasons };
}

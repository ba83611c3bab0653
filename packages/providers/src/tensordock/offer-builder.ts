// Builds Offers from TensorDock v2 host nodes. TensorDock sells configurable VMs, so we choose the
// configuration: per GPU count, even vCPUs and RAM within the host's limits, storage >= 100 GB, priced additively.
// Host records already in shape pass a check compiled from the same schema (record-check.ts), without zod copying each.
import { z } from 'zod';
import type { Offer } from '@gpu-shopper/domain';
import { cachedGpuModel, cachedVramGbFromName } from '../gpu-model-cache';
import { ProviderContractError } from '../errors';
import { compileRecordCheck } from '../record-check';
import { responseContext } from '../offer-context';
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
type TdHostnodesEnvelope = z.infer<typeof TdHostnodesEnvelopeSchema>;
/** A well-formed envelope is used as it is: zod would copy the list, allocating a payload per host. */
const isTdHostnodesEnvelope = compileRecordCheck(TdHostnodesEnvelopeSchema);

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

/** "City, State", leaving out a missing or blank part; null when both are. Per host, so no arrays. */
function region(city: string | null | undefined, state: string | null | undefined): string | null {
  const cityText = city?.trim() ?? '';
  const stateText = state?.trim() ?? '';
  if (cityText === '') return stateText === '' ? null : stateText;
  return stateText === '' ? cityText : `${cityText}, ${stateText}`;
}

/**
 * Whether `values` holds at least `wanted` distinct values, compared as a Set compares them
 * (SameValueZero, as `includes` does). A host lists all its free ports and we need two: a Set of them
 * per host was a quarter of the whole TensorDock parse.
 */
function hasDistinctValues(values: readonly unknown[], wanted: number): boolean {
  const distinct: unknown[] = [];
  for (let at = 0; at < values.length && distinct.length < wanted; at++) {
    if (!distinct.includes(values[at])) distinct.push(values[at]);
  }
  return distinct.length >= wanted;
}

/** Offers for one validated host node: one per GPU model and GPU count that fits. */
export function tensorDockHostnodeOffers(host: TdHostnode, context: OfferParseContext, locations: ReadonlyMap<string, TdLocation> = new Map()): Offer[] {
  const offers: Offer[] = [];
  pushHostnodeOffers(host, context, locations, offers);
  return offers;
}

/** Appends one host's offers to `offers`: a response's hosts fill one list, with no array per host. */
function pushHostnodeOffers(host: TdHostnode, context: OfferParseContext, locations: ReadonlyMap<string, TdLocation>, offers: Offer[]): void {
  const resources = host.available_resources;
  const location = host.location ?? (host.location_id ? locations.get(host.location_id) : undefined) ?? null;
  const storageGb = Math.max(TD_MIN_STORAGE_GB, Math.ceil(context.diskGb));
  const maxStorageGb = Math.min(resources.storage_gb, resources.max_storage_gb ?? Number.POSITIVE_INFINITY);
  // Every create forwards SSH and the agent's port, each to a distinct free external port: a host with
  // fewer would fail every create, so it is not an offer.
  if (storageGb > maxStorageGb || !hasDistinctValues(resources.available_ports ?? [], TD_MIN_FREE_PORTS)) return;
  const fetchedAt = context.fetchedAtIso ?? context.now.toISOString();
  // Per host, not per offer: every offer of a host shares its place and uptime.
  const hostRegion = region(location?.city, location?.stateprovince);
  const hostCountry = countryCode(location?.country);
  const reliability = typeof host.uptime_percentage === 'number' ? Math.min(1, Math.max(0, Math.round(host.uptime_percentage * 100) / 10_000)) : null;
  // The host's limits: per GPU (at most our default) and in all.
  const vcpusPerGpu = Math.min(resources.max_vcpus_per_gpu ?? TD_DEFAULT_VCPUS_PER_GPU, TD_DEFAULT_VCPUS_PER_GPU);
  const ramGbPerGpu = Math.min(resources.max_ram_per_gpu ?? TD_DEFAULT_RAM_GB_PER_GPU, TD_DEFAULT_RAM_GB_PER_GPU);
  const maxVcpus = Math.min(resources.vcpu_count, resources.max_vcpus ?? Number.POSITIVE_INFINITY);
  const maxRamGb = Math.min(resources.ram_gb, resources.max_ram_gb ?? Number.POSITIVE_INFINITY);
  for (const gpu of resources.gpus) {
    const pricing = host.pricing ?? (host.location_id ? locations.get(host.location_id)?.gpus?.find((g) => g.v0Name === gpu.v0Name)?.pricing : null) ?? null;
    if (!pricing) continue;
    const vramGbPerGpu = cachedVramGbFromName(gpu.v0Name) ?? 0;
    const gpuModel = cachedGpuModel(gpu.v0Name, vramGbPerGpu || null);
    for (const gpuCount of GPU_COUNTS) {
      if (gpuCount > gpu.availableCount) break;
      const vcpus = evenFloor(Math.min(gpuCount * vcpusPerGpu, maxVcpus));
      const ramGb = evenFloor(Math.min(gpuCount * ramGbPerGpu, maxRamGb));
      if (vcpus < 2 || ramGb < 2) break;
      const computePerHourUsd = gpuCount * gpu.price_per_hr + vcpus * pricing.per_vcpu_hr + ramGb * pricing.per_gb_ram_hr;
      const storagePerHourUsd = storageGb * pricing.per_gb_storage_hr;
      offers.push({
        id: `tensordock:${host.id}:${gpu.v0Name}:${gpuCount}`,
        provider: 'tensordock',
        providerOfferId: host.id,
        gpuModel,
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
}

/** Parses a whole hostnodes response (plus locations, for hosts that carry only a location_id). */
export function parseTensorDockHostnodes(body: unknown, context: OfferParseContext, locationsBody?: unknown): ParsedOffers {
  const hostnodes = hostnodesOf(body);
  const locations = new Map<string, TdLocation>();
  if (locationsBody !== undefined) {
    const parsedLocations = TdLocationsEnvelopeSchema.safeParse(locationsBody);
    if (!parsedLocations.success) throw new ProviderContractError('tensordock', 'locations response has no data.locations array');
    for (const location of parsedLocations.data.data.locations) locations.set(location.id, location);
  }
  const parsed = hostnodesToOffers(hostnodes, responseContext(context), locations);
  if (hostnodes.length > 0 && parsed.skippedCount === hostnodes.length) {
    throw new ProviderContractError('tensordock', `no hostnode record had the expected shape (first problem: ${parsed.skipReasons[0] ?? '?'})`);
  }
  return parsed;
}

/** Each host to its offers, or to a skip reason: the hot loop, apart so that it stays optimized (see responseContext). */
function hostnodesToOffers(hostnodes: readonly unknown[], context: OfferParseContext, locations: ReadonlyMap<string, TdLocation>): ParsedOffers {
  const offers: Offer[] = [];
  const skipReasons: string[] = [];
  // Indexed, not for...of: optimized, the for...of bailed out at its GetIterator on every call (--trace-deopt).
  for (let at = 0; at < hostnodes.length; at++) {
    const record = hostnodes[at];
    if (isTdHostnode?.(record)) {
      pushHostnodeOffers(record as TdHostnode, context, locations, offers);
      continue;
    }
    const parsed = TdHostnodeSchema.safeParse(record);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      skipReasons.push(`${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'bad shape'}`);
      continue;
    }
    pushHostnodeOffers(parsed.data, context, locations, offers);
  }
  return { offers, skippedCount: skipReasons.length, skipReasons };
}

/** The response's host records; a wrong envelope is a contract error. */
function hostnodesOf(body: unknown): readonly unknown[] {
  if (isTdHostnodesEnvelope?.(body)) return (body as TdHostnodesEnvelope).data.hostnodes;
  const envelope = TdHostnodesEnvelopeSchema.safeParse(body);
  if (!envelope.success) throw new ProviderContractError('tensordock', 'hostnodes response has no data.hostnodes array');
  return envelope.data.data.hostnodes;
}

// Turns Vast.ai "bundles" records into our Offer: MB -> GB, storage folded into the all-in price,
// geolocation split into region and country. Validated with zod; one odd record is skipped, a wrong envelope is an error.
// Records already in shape pass a check compiled from the same schema (record-check.ts), without zod copying each.
import { z } from 'zod';
import { MS_PER_HOUR, type Offer } from '@gpu-shopper/domain';
import { cachedGpuModel } from '../gpu-model-cache';
import { ProviderContractError } from '../errors';
import { compileRecordCheck } from '../record-check';
import { responseContext } from '../offer-context';

const MB_PER_GB = 1024;
/** Vast prices storage per GB per 30-day month. */
const HOURS_PER_STORAGE_MONTH = 30 * 24;

const nullableNumber = z.number().nullable().optional();

/** Only the fields we read; Vast sends ~100 more and adds new ones freely. */
export const VastBundleSchema = z.object({
  id: z.number().int(),
  gpu_name: z.string(),
  num_gpus: z.number().int().positive(),
  gpu_ram: z.number().nonnegative(),
  cpu_cores: nullableNumber,
  cpu_cores_effective: nullableNumber,
  cpu_ram: nullableNumber,
  disk_space: nullableNumber,
  dph_base: z.number().nonnegative(),
  storage_cost: nullableNumber,
  geolocation: z.string().nullable().optional(),
  reliability: nullableNumber,
  reliability2: nullableNumber,
  duration: nullableNumber,
  end_date: nullableNumber,
  verification: z.string().nullable().optional(),
  verified: z.boolean().nullable().optional(),
});
export type VastBundle = z.infer<typeof VastBundleSchema>;
const isVastBundle = compileRecordCheck(VastBundleSchema);

export const VastBundlesEnvelopeSchema = z.looseObject({ offers: z.array(z.unknown()) });
type VastBundlesEnvelope = z.infer<typeof VastBundlesEnvelopeSchema>;
/** A well-formed envelope is used as it is: zod would copy the list, allocating a payload per record (0.16 ms per 10,000). */
const isVastBundlesEnvelope = compileRecordCheck(VastBundlesEnvelopeSchema);

export interface OfferParseContext {
  /** Disk priced into the all-in $/h. */
  diskGb: number;
  now: Date;
  /** `now` as ISO text, formatted once per response rather than once per record. */
  fetchedAtIso?: string;
}

export interface ParsedOffers {
  offers: Offer[];
  /** Records that did not have the shape we expect. */
  skippedCount: number;
  skipReasons: string[];
}

/** "South Korea, KR" -> { region: "South Korea", country: "KR" }; ", US" -> region null. */
export function parseGeolocation(geolocation: string | null | undefined): { region: string | null; country: string | null } {
  const text = geolocation?.trim() ?? '';
  if (text === '') return { region: null, country: null };
  const match = /^(.*?)[,\s]*\b([A-Z]{2})$/.exec(text);
  if (!match) return { region: text, country: null };
  const region = (match[1] ?? '').trim().replace(/,$/, '').trim();
  return { region: region === '' ? null : region, country: match[2] ?? null };
}

const geolocationCache = new Map<string, { region: string | null; country: string | null }>();

/** A catalog has a few hundred distinct places; parse each once. Shared: read it, never change it. */
function cachedGeolocation(geolocation: string | null | undefined): Readonly<{ region: string | null; country: string | null }> {
  const key = geolocation ?? '';
  let parsed = geolocationCache.get(key);
  if (parsed === undefined) {
    if (geolocationCache.size > 5_000) geolocationCache.clear();
    parsed = parseGeolocation(geolocation);
    geolocationCache.set(key, parsed);
  }
  return parsed;
}

function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}

function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

/** Converts one validated record. */
export function vastBundleToOffer(bundle: VastBundle, context: OfferParseContext): Offer {
  const vramGbPerGpu = Math.round(bundle.gpu_ram / MB_PER_GB);
  const storagePerHourUsd = ((bundle.storage_cost ?? 0) * context.diskGb) / HOURS_PER_STORAGE_MONTH;
  const computePerHourUsd = bundle.dph_base;
  const cpuCores = bundle.cpu_cores_effective ?? bundle.cpu_cores ?? 0;
  // cpu_ram is the whole machine's; our share follows the share of cores we get (gpuhunt does the same).
  const ramShare = bundle.cpu_cores && bundle.cpu_cores_effective ? bundle.cpu_cores_effective / bundle.cpu_cores : 1;
  const ramGb = roundTo(((bundle.cpu_ram ?? 0) * Math.min(1, ramShare)) / MB_PER_GB, 1);
  const reliabilityRaw = bundle.reliability2 ?? bundle.reliability ?? null;
  const { region, country } = cachedGeolocation(bundle.geolocation);
  // One number-to-text conversion per record, shared by both ids.
  const providerOfferId = String(bundle.id);
  return {
    id: `vastai:${providerOfferId}`,
    provider: 'vastai',
    providerOfferId,
    gpuModel: cachedGpuModel(bundle.gpu_name, vramGbPerGpu),
    providerGpuName: bundle.gpu_name,
    gpuCount: bundle.num_gpus,
    vramGbPerGpu,
    pricePerHourUsd: computePerHourUsd + storagePerHourUsd,
    priceBreakdown: { computePerHourUsd, storagePerHourUsd },
    region,
    country,
    reliability: reliabilityRaw === null ? null : clamp01(reliabilityRaw),
    availableForHours: availableForHours(bundle, context.now),
    cpuCores,
    ramGb,
    diskGb: context.diskGb,
    verified: bundle.verification === 'verified' || bundle.verified === true,
    fetchedAt: context.fetchedAtIso ?? context.now.toISOString(),
    stale: false,
  };
}

function availableForHours(bundle: VastBundle, now: Date): number | null {
  if (typeof bundle.duration === 'number' && Number.isFinite(bundle.duration)) return roundTo(Math.max(0, bundle.duration) / 3600, 2);
  if (typeof bundle.end_date === 'number' && Number.isFinite(bundle.end_date)) {
    return roundTo(Math.max(0, bundle.end_date * 1000 - now.getTime()) / MS_PER_HOUR, 2);
  }
  return null;
}

/**
 * Parses a whole bundles response. A wrong envelope, or a non-empty list in which no record parses,
 * is a contract error: it must never read as "no offers".
 */
export function parseVastBundlesResponse(body: unknown, context: OfferParseContext): ParsedOffers {
  const records = bundleRecordsOf(body);
  const parsed = bundlesToOffers(records, responseContext(context));
  if (records.length > 0 && parsed.offers.length === 0) {
    throw new ProviderContractError('vastai', `no bundle record had the expected shape (first problem: ${parsed.skipReasons[0] ?? '?'})`);
  }
  return parsed;
}

/** Each record to an Offer, or to a skip reason: the hot loop, apart so that it stays optimized (see responseContext). */
function bundlesToOffers(records: readonly unknown[], context: OfferParseContext): ParsedOffers {
  const offers: Offer[] = [];
  const skipReasons: string[] = [];
  // Indexed, not for...of: optimized, the for...of bailed out at its GetIterator on every call (--trace-deopt).
  for (let at = 0; at < records.length; at++) {
    const record = records[at];
    if (isVastBundle?.(record)) {
      offers.push(vastBundleToOffer(record as VastBundle, context));
      continue;
    }
    const parsed = VastBundleSchema.safeParse(record);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      skipReasons.push(`${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'bad shape'}`);
      continue;
    }
    offers.push(vastBundleToOffer(parsed.data, context));
  }
  return { offers, skippedCount: skipReasons.length, skipReasons };
}

/** The response's bundle records; a wrong envelope is a contract error. */
function bundleRecordsOf(body: unknown): readonly unknown[] {
  if (isVastBundlesEnvelope?.(body)) return (body as VastBundlesEnvelope).offers;
  const envelope = VastBundlesEnvelopeSchema.safeParse(body);
  if (!envelope.success) {
    throw new ProviderContractError('vastai', `bundles response has no "offers" array: ${envelope.error.issues[0]?.message ?? 'bad shape'}`);
  }
  return envelope.data.offers;
}

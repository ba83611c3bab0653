// An offer on the menu: one rentable GPU configuration, normalized across providers.
import { z } from 'zod';
import { ProviderNameSchema } from './provider';

export const PriceBreakdownSchema = z.object({
  computePerHourUsd: z.number().nonnegative(),
  storagePerHourUsd: z.number().nonnegative(),
});
export type PriceBreakdown = z.infer<typeof PriceBreakdownSchema>;

export const OfferSchema = z.object({
  /** Stable and provider-prefixed, e.g. "vastai:13489095". */
  id: z.string().min(1),
  provider: ProviderNameSchema,
  /** The provider's own id for the offer (ask id, hostnode id...). */
  providerOfferId: z.string(),
  gpuModel: z.string(),
  /** The name the provider uses, kept for debugging and for create requests. */
  providerGpuName: z.string(),
  gpuCount: z.number().int().positive(),
  vramGbPerGpu: z.number().nonnegative(),
  /** All-in: compute plus storage for `diskGb`. */
  pricePerHourUsd: z.number().nonnegative(),
  priceBreakdown: PriceBreakdownSchema,
  region: z.string().nullable(),
  country: z.string().nullable(),
  reliability: z.number().min(0).max(1).nullable(),
  /** How long the host says it stays available; null when the provider does not say. */
  availableForHours: z.number().nonnegative().nullable(),
  cpuCores: z.number().nonnegative(),
  ramGb: z.number().nonnegative(),
  diskGb: z.number().nonnegative(),
  verified: z.boolean(),
  fetchedAt: z.iso.datetime(),
  /** True when the provider could not be reached and these are its last good offers. */
  stale: z.boolean(),
});
export type Offer = z.infer<typeof OfferSchema>;

export const OFFER_SORTS = ['price', 'reliability', 'vram'] as const;
export const OfferSortSchema = z.enum(OFFER_SORTS);
export type OfferSort = z.infer<typeof OfferSortSchema>;

/** What an application asks the menu for; every field optional, every filter works for every provider. */
export interface OfferFilter {
  gpu?: string;
  minVramGb?: number;
  maxPricePerHourUsd?: number;
  provider?: z.infer<typeof ProviderNameSchema>;
  region?: string;
  minReliability?: number;
  minGpus?: number;
  sort?: OfferSort;
  limit?: number;
}

export const DEFAULT_OFFER_DISK_GB = 50;

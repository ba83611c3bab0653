// GET /inventory: the menu of GPU offers, filtered and sorted server-side for every provider.
import { z } from 'zod';
import { OFFER_SORTS, OfferSchema, PROVIDER_NAMES, type OfferFilter } from '@gpu-shopper/domain';
import { protectedProcedure } from '../../trpc';

export const searchInput = z.object({
  gpu: z.string().max(64).optional().describe('GPU model, matched loosely: "4090" matches "RTX 4090"'),
  min_vram: z.number().nonnegative().max(1024).optional().describe('Minimum VRAM per GPU, GB'),
  max_price: z.number().positive().max(1000).optional().describe('Maximum all-in price, USD per hour'),
  provider: z.enum(PROVIDER_NAMES).optional(),
  region: z.string().max(64).optional().describe('Country code or part of a region name'),
  min_reliability: z.number().min(0).max(1).optional(),
  min_gpus: z.number().int().min(1).max(64).optional(),
  sort: z.enum(OFFER_SORTS).optional().describe('price (default), reliability or vram'),
  limit: z.number().int().min(1).max(1000).optional().describe('At most this many offers (default 50)'),
});

export const ProviderStatusSchema = z.object({
  provider: z.enum(PROVIDER_NAMES),
  status: z.enum(['fresh', 'stale', 'empty']),
  offerCount: z.number().int(),
  fetchedAt: z.string().nullable(),
  nextFetchAt: z.string(),
  rateLimited: z.boolean(),
  error: z.string().nullable(),
});

export const searchOutput = z.object({
  offers: z.array(OfferSchema),
  providers: z.array(ProviderStatusSchema),
});

export const DEFAULT_OFFER_LIMIT = 50;

/** The menu's filter for a validated input (the REST fast path in the server uses it too). */
export function searchFilter(input: z.output<typeof searchInput>): OfferFilter {
  return {
    gpu: input.gpu,
    minVramGb: input.min_vram,
    maxPricePerHourUsd: input.max_price,
    provider: input.provider,
    region: input.region,
    minReliability: input.min_reliability,
    minGpus: input.min_gpus,
    sort: input.sort,
    limit: input.limit ?? DEFAULT_OFFER_LIMIT,
  };
}

export const search = protectedProcedure
  .meta({ openapi: { method: 'GET', path: '/inventory', tags: ['inventory'], summary: 'Search GPU offers across providers', protect: true } })
  .input(searchInput)
  .output(searchOutput)
  .query(({ ctx, input }) => ctx.inventory.search(searchFilter(input)));

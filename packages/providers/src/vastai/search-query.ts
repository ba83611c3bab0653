// Builds the body of POST /api/v0/bundles/ from our OfferSearch, in Vast's operator syntax.
import type { OfferSearch } from '../adapter';
import { vastGpuNamesFor } from './gpu-names';

export const DEFAULT_VAST_SEARCH_LIMIT = 1000;
const MB_PER_GB = 1024;

export interface VastSearchOptions {
  /** Only hosts Vast has verified (the CLI's default). Off by default: the menu shows `verified`. */
  verifiedOnly?: boolean;
}

export type VastOperator = 'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte' | 'in' | 'notin';
export type VastQuery = Record<string, unknown> & {
  order: [string, 'asc' | 'desc'][];
  type: 'on-demand';
  allocated_storage: number;
  limit: number;
};

export function buildVastBundlesQuery(search: OfferSearch, options: VastSearchOptions = {}): VastQuery {
  const query: VastQuery = {
    rentable: { eq: true },
    rented: { eq: false },
    // The disk we price in must fit on the host.
    disk_space: { gte: search.diskGb },
    order: [['dph_total', 'asc']],
    type: 'on-demand',
    allocated_storage: search.diskGb,
    limit: Math.max(1, Math.min(search.limit ?? DEFAULT_VAST_SEARCH_LIMIT, 5000)),
  };
  if (options.verifiedOnly) query.verified = { eq: true };
  if (search.gpu !== undefined && search.gpu.trim() !== '') {
    const match = vastGpuNamesFor(search.gpu);
    if (match) {
      query.gpu_name = match.names.length === 1 ? { eq: match.names[0] } : { in: match.names };
      // gpu_ram is MB and a "24 GB" card reports 24564: allow ±7% like gpuhunt does.
      query.gpu_ram = { gte: Math.floor(match.minVramGb * MB_PER_GB * 0.93), lte: Math.ceil(match.maxVramGb * MB_PER_GB * 1.07) };
    }
  }
  // dph_total already includes storage for allocated_storage, so it is the all-in price we filter on.
  if (search.maxPricePerHourUsd !== undefined) query.dph_total = { lte: search.maxPricePerHourUsd };
  if (search.minGpus !== undefined) query.num_gpus = { gte: search.minGpus };
  return query;
}

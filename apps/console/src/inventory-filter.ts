// The inventory page's filter form (what was typed, as text) and the API's filter it stands for:
// the same filters as GET /inventory, blank fields filtering nothing.
import type { RouterInputs } from '@gpu-shopper/sdk';

export type SearchInput = RouterInputs['inventory']['search'];

/** The form's fields as typed. */
export interface InventoryFilterForm {
  gpu: string;
  minVram: string;
  maxPrice: string;
  provider: '' | 'vastai' | 'tensordock';
  region: string;
  minReliability: string;
  minGpus: string;
  sort: 'price' | 'reliability' | 'vram';
  limit: string;
}

export const EMPTY_FILTER: InventoryFilterForm = { gpu: '', minVram: '', maxPrice: '', provider: '', region: '', minReliability: '', minGpus: '', sort: 'price', limit: '50' };

const numberOrUndefined = (text: string) => (text.trim() === '' || !Number.isFinite(Number(text)) ? undefined : Number(text));

export function searchInputOf(form: InventoryFilterForm): SearchInput {
  const input: SearchInput = { sort: form.sort };
  if (form.gpu.trim() !== '') input.gpu = form.gpu.trim();
  if (form.region.trim() !== '') input.region = form.region.trim();
  if (form.provider !== '') input.provider = form.provider;
  const minVram = numberOrUndefined(form.minVram);
  if (minVram !== undefined) input.min_vram = minVram;
  const maxPrice = numberOrUndefined(form.maxPrice);
  if (maxPrice !== undefined) input.max_price = maxPrice;
  const minReliability = numberOrUndefined(form.minReliability);
  if (minReliability !== undefined) input.min_reliability = minReliability;
  const minGpus = numberOrUndefined(form.minGpus);
  if (minGpus !== undefined) input.min_gpus = minGpus;
  const limit = numberOrUndefined(form.limit);
  if (limit !== undefined) input.limit = limit;
  return input;
}

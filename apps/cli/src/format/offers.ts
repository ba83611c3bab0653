// The inventory as a table, a line saying how many offers matched and how many are shown, and a
// note for every provider whose offers are stale or missing, so a short menu is never mistaken for
// a complete one.
import type { RouterOutputs } from '@gpu-shopper/sdk';
import { renderTable, type Column, type TableView } from '../table';
import { percent } from './values';

type Menu = RouterOutputs['inventory']['search'];
type Offer = Menu['offers'][number];
type ProviderStatus = Menu['providers'][number];

const OFFER_COLUMNS: Column<Offer>[] = [
  { header: 'ID', value: (offer) => offer.id },
  { header: 'PROVIDER', value: (offer) => offer.provider },
  { header: 'GPU', value: (offer) => `${offer.gpuCount}x ${offer.gpuModel}` },
  { header: 'VRAM (GB)', value: (offer) => offer.vramGbPerGpu },
  { header: '$/H', value: (offer) => offer.pricePerHourUsd.toFixed(3), align: 'right' },
  { header: 'REGION', value: (offer) => [offer.region, offer.country].filter((part) => part !== null && part !== '').join(', ') },
  { header: 'RELIAB', value: (offer) => percent(offer.reliability), align: 'right' },
  { header: 'AVAIL', value: (offer) => (offer.availableForHours === null ? null : `${Math.round(offer.availableForHours)}h`), align: 'right' },
];

export function providerNote(status: ProviderStatus): string | null {
  const why = status.rateLimited ? 'rate limited' : status.error;
  const suffix = why === null ? '' : ` (${why})`;
  if (status.status === 'stale') return `note: ${status.provider} offers are stale${suffix}`;
  if (status.status === 'empty') return `note: no offers from ${status.provider} yet${suffix}`;
  return null;
}

/** The API's most offers in one search, and its default. */
export const MAX_OFFER_LIMIT = 1000;
export const DEFAULT_OFFER_LIMIT = 50;

/**
 * The API returns no count of matches. The inventory command asks for one offer more than it shows:
 * that one says whether more match. At the API's maximum nothing more can be asked, so "may".
 */
export interface MenuPage {
  /** How many offers were asked to be shown (--limit, default 50). */
  limit: number;
  sort: 'price' | 'reliability' | 'vram' | undefined;
}

const SORT_WORDS = { price: 'cheapest first', reliability: 'most reliable first', vram: 'most VRAM first' } as const;

function count(n: number, noun: string): string {
  return `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;
}

export function menuSummary(menu: Menu, page: MenuPage): string {
  const shown = Math.min(menu.offers.length, page.limit);
  const listed = menu.providers.reduce((sum, status) => sum + status.offerCount, 0);
  const ofAll = listed > 0 ? ` (of ${count(listed, 'offer')} the providers list)` : '';
  if (menu.offers.length < page.limit || (menu.offers.length === page.limit && page.limit < MAX_OFFER_LIMIT)) return `${count(shown, 'offer')} match${shown === 1 ? 'es' : ''}${ofAll}.`;
  const order = SORT_WORDS[page.sort ?? 'price'];
  const first = shown === 1 ? 'the first matching offer' : `the first ${count(shown, 'matching offer')}`;
  if (menu.offers.length > page.limit) return `Showing ${first}, ${order}; more match (raise --limit, up to ${MAX_OFFER_LIMIT})${ofAll}.`;
  return `Showing ${count(shown, 'matching offer')}, ${order}; more may match (${MAX_OFFER_LIMIT} is the most one search returns: narrow the filters)${ofAll}.`;
}

/** The menu as a table; with `page`, only its first `limit` offers and the summary line. */
export function formatMenu(menu: Menu, view: TableView = {}, page?: MenuPage): string {
  const offers = page === undefined ? menu.offers : menu.offers.slice(0, page.limit);
  const lines = [offers.length === 0 ? 'No offers match.' : renderTable(OFFER_COLUMNS, offers, view)];
  if (page !== undefined && offers.length > 0) lines.push(menuSummary(menu, page));
  for (const status of menu.providers) {
    const note = providerNote(status);
    if (note !== null) lines.push(note);
  }
  return lines.join('\n');
}

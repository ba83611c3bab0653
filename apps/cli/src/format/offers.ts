// The inventory as a table, with a note for every provider whose offers are stale or missing so
// a short menu is never mistaken for a complete one.
import type { RouterOutputs } from '@gpu-shopper/sdk';
import { renderTable, type Column } from '../table';
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

export function formatMenu(menu: Menu): string {
  const lines = [menu.offers.length === 0 ? 'No offers match.' : renderTable(OFFER_COLUMNS, menu.offers)];
  for (const status of menu.providers) {
    const note = providerNote(status);
    if (note !== null) lines.push(note);
  }
  return lines.join('\n');
}

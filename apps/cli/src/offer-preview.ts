// What `provision` is about to rent, before it rents: the offer the server would pick now (the
// cheapest usable match, as the provisioner picks it) from the inventory search with the same
// filters, and what the reservation would cost at its price. No endpoint of its own: the menu is it.
import type { Offer, ShopperClient } from '@gpu-shopper/sdk';
import { PROVIDERS } from './api-enums';
import { MAX_OFFER_LIMIT } from './format/offers';
import { percent, usd } from './format/values';

export interface OfferRequest {
  offerId?: string;
  gpu?: string;
  minVramGb?: number;
  maxPricePerHourUsd?: number;
  region?: string;
  provider?: (typeof PROVIDERS)[number];
}

/** How many of the cheapest matches to look through for a usable (not stale) one, as the server does. */
const CANDIDATES = 100;

/** The offer the server would rent now, or null when none on the menu matches (the server then says why). */
export async function previewOffer(client: ShopperClient, request: OfferRequest): Promise<Offer | null> {
  if (request.offerId !== undefined) {
    // No search by id: look through the offer's provider (its id's prefix) for it.
    const prefix = request.offerId.split(':', 1)[0];
    const provider = PROVIDERS.find((name) => name === prefix);
    const { offers } = await client.inventory.search.query({ provider, limit: MAX_OFFER_LIMIT });
    return offers.find((offer) => offer.id === request.offerId) ?? null;
  }
  const { offers } = await client.inventory.search.query({
    gpu: request.gpu,
    min_vram: request.minVramGb,
    max_price: request.maxPricePerHourUsd,
    region: request.region,
    provider: request.provider,
    sort: 'price',
    limit: CANDIDATES,
  });
  return offers.find((offer) => !offer.stale) ?? null;
}

/** The reservation's cost at the offer's all-in price: what it comes to if the node runs its full term. */
export function projectedCostUsd(offer: Offer, hours: number): number {
  return offer.pricePerHourUsd * hours;
}

/** The lines shown before renting: the offer, its price, the projected cost, and what a failover may rent. */
export function formatPreview(offer: Offer, hours: number, request: OfferRequest): string {
  const place = [offer.region, offer.country].filter((part) => part !== null && part !== '').join(', ');
  const lines = [
    `Offer:      ${offer.id}: ${offer.gpuCount}x ${offer.gpuModel} (${offer.vramGbPerGpu} GB) on ${offer.provider}${place === '' ? '' : `, ${place}`}${offer.reliability === null ? '' : `, ${percent(offer.reliability)} reliable`}`,
    `Price:      $${offer.pricePerHourUsd.toFixed(3)}/h all-in (compute and storage)`,
    `Projected:  ${usd(projectedCostUsd(offer, hours))} for the ${hours} h reserved (less if you finish early)`,
  ];
  // Failover rents another offer if this one does not come up: say how far its price may go.
  if (request.offerId !== undefined) lines.push(`Failover:   another ${offer.gpuModel} at up to $${(request.maxPricePerHourUsd ?? offer.pricePerHourUsd).toFixed(3)}/h`);
  else if (request.maxPricePerHourUsd !== undefined) lines.push(`Failover:   the next cheapest match, at up to $${request.maxPricePerHourUsd.toFixed(3)}/h`);
  else lines.push('Failover:   the next cheapest match, at any price (--max-price caps it)');
  return lines.join('\n');
}

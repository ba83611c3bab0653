// What an idempotency key is bound to: the request's canonical form (sorted keys, no key itself),
// hashed. The same key with another body is a client bug the API must refuse, not paper over.
import { sha256Hex } from '../secrets/hash';
import type { ProvisionRequest } from '../sessions/session-service';

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, entry]) => entry !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, entry]) => [key, canonical(entry)]),
    );
  }
  return value;
}

export function requestFingerprint(request: ProvisionRequest): string {
  const { idempotencyKey: _key, ...body } = request;
  return sha256Hex(JSON.stringify(canonical(body)));
}

/** The part of a request that picks offers: kept on the session so failover works after a restart. */
export type OfferRequest = Pick<ProvisionRequest, 'offerId' | 'gpu' | 'minVramGb' | 'maxPricePerHourUsd' | 'region' | 'provider'>;

export function offerRequestOf(request: ProvisionRequest): OfferRequest {
  const { offerId, gpu, minVramGb, maxPricePerHourUsd, region, provider } = request;
  return canonical({ offerId, gpu, minVramGb, maxPricePerHourUsd, region, provider }) as OfferRequest;
}

// Per-provider cache of the last good offers: refetched after 60 s, after 5 min once the provider
// rate-limited us (so we stop knocking; a later success brings the 60 s back), and served marked
// stale — never dropped — while the provider is failing.
import type { Clock, Offer } from '@gpu-shopper/domain';
import { MS_PER_MINUTE, MS_PER_SECOND } from '@gpu-shopper/domain';

export const FRESH_TTL_MS = 60 * MS_PER_SECOND;
export const RATE_LIMITED_TTL_MS = 5 * MS_PER_MINUTE;
/** A provider that is down is asked again at most this often, not on every request. */
export const FAILURE_RETRY_MS = 15 * MS_PER_SECOND;

export type ProviderCacheStatus = 'fresh' | 'stale' | 'empty';

export class OfferCache {
  private cached: { offers: Offer[]; staleOffers: Offer[] | null; fetchedAtMs: number } | null = null;
  private failure: { message: string; rateLimited: boolean } | null = null;
  private nextFetchAtMs = 0;
  private version = 0;

  constructor(private readonly clock: Clock) {}

  /** Whether the provider should be asked now. */
  isDue(): boolean {
    return this.clock.now().getTime() >= this.nextFetchAtMs;
  }

  store(offers: Offer[]): void {
    const nowMs = this.clock.now().getTime();
    this.cached = { offers, staleOffers: null, fetchedAtMs: nowMs };
    this.failure = null;
    this.nextFetchAtMs = nowMs + FRESH_TTL_MS;
    this.version += 1;
  }

  recordFailure(message: string, rateLimited: boolean): void {
    this.failure = { message, rateLimited };
    this.nextFetchAtMs = this.clock.now().getTime() + (rateLimited ? RATE_LIMITED_TTL_MS : FAILURE_RETRY_MS);
    this.version += 1;
  }

  offers(): Offer[] {
    if (this.cached === null) return [];
    if (this.failure === null) return this.cached.offers;
    this.cached.staleOffers ??= this.cached.offers.map((offer) => ({ ...offer, stale: true }));
    return this.cached.staleOffers;
  }

  status(): ProviderCacheStatus {
    if (this.cached === null) return 'empty';
    return this.failure === null ? 'fresh' : 'stale';
  }

  lastError(): string | null {
    return this.failure?.message ?? null;
  }

  isRateLimited(): boolean {
    return this.failure?.rateLimited ?? false;
  }

  fetchedAt(): Date | null {
    return this.cached === null ? null : new Date(this.cached.fetchedAtMs);
  }

  nextFetchAt(): Date {
    return new Date(this.nextFetchAtMs);
  }

  /** Changes whenever what `offers()` returns changes: keys the query memo. */
  generation(): number {
    return this.version;
  }
}

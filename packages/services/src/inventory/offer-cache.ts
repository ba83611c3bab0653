// Per-provider cache of the last good offers: refetched after 60 s, after 5 min once the provider
// rate-limited us (so we stop knocking; a later success brings the 60 s back), and served marked
// stale — never dropped — while the provider is failing.
import type { Clock, Offer } from '@gpu-shopper/domain';
import { MS_PER_MINUTE, MS_PER_SECOND } from '@gpu-shopper/domain';

export const FRESH_TTL_MS = 60 * MS_PER_SECOND;
export const RATE_LIMITED_TTL_MS = 5 * MS_PER_MINUTE;
/** A provider that is down is asked again at most this often, not on every request. */
export const FAILURE_RETRY_MS = 15 * MS_PER_SECOND;
/**
 * Until a provider's first listing arrives there is nothing to serve, not even stale offers (a
 * server just started during a provider blip or a 429): it is asked again sooner, 1 s then doubling
 * up to FAILURE_RETRY_MS, so the menu (and provisioning) comes back seconds after the provider does.
 */
export const FIRST_FETCH_RETRY_MS = MS_PER_SECOND;
/** How long an offer we rented (or that answered "gone") stays off the menu, refreshes included. */
export const WITHDRAWN_FOR_MS = 5 * MS_PER_MINUTE;

export type ProviderCacheStatus = 'fresh' | 'stale' | 'empty';

export class OfferCache {
  private cached: { offers: Offer[]; staleOffers: Offer[] | null; fetchedAtMs: number } | null = null;
  private failure: { message: string; rateLimited: boolean } | null = null;
  private nextFetchAtMs = 0;
  private failuresInRow = 0;
  private version = 0;
  /** Offer id -> until when it stays off the menu. */
  private readonly withdrawn = new Map<string, number>();

  constructor(private readonly clock: Clock) {}

  /** Whether the provider should be asked now. */
  isDue(): boolean {
    return this.clock.now().getTime() >= this.nextFetchAtMs;
  }

  store(offers: Offer[]): void {
    const nowMs = this.clock.now().getTime();
    this.cached = { offers: this.withoutWithdrawn(offers, nowMs), staleOffers: null, fetchedAtMs: nowMs };
    this.failure = null;
    this.failuresInRow = 0;
    this.nextFetchAtMs = nowMs + FRESH_TTL_MS;
    this.version += 1;
  }

  recordFailure(message: string, rateLimited: boolean): void {
    this.failure = { message, rateLimited };
    this.failuresInRow += 1;
    // Nothing to serve yet: asked again within seconds, a 429 included (the adapter's own retries
    // already waited it out once); with offers to serve, a 429 keeps them for 5 minutes.
    const retryMs = this.cached === null ? Math.min(FAILURE_RETRY_MS, FIRST_FETCH_RETRY_MS * 2 ** (this.failuresInRow - 1)) : rateLimited ? RATE_LIMITED_TTL_MS : FAILURE_RETRY_MS;
    this.nextFetchAtMs = this.clock.now().getTime() + retryMs;
    this.version += 1;
  }

  /**
   * Takes an offer off the menu for everyone at once (we rented it, or the provider said it is gone),
   * and keeps it off for a while: a listing fetched moments later may still show it.
   */
  withdraw(offerId: string): void {
    const nowMs = this.clock.now().getTime();
    this.withdrawn.set(offerId, nowMs + WITHDRAWN_FOR_MS);
    if (this.cached === null) return;
    const before = this.cached.offers.length;
    this.cached.offers = this.cached.offers.filter((offer) => offer.id !== offerId);
    if (this.cached.offers.length === before) return;
    this.cached.staleOffers = null;
    this.version += 1;
  }

  /** Makes the next search fetch again (the menu is known to be out of date). */
  expire(): void {
    this.nextFetchAtMs = Math.min(this.nextFetchAtMs, this.clock.now().getTime());
  }

  private withoutWithdrawn(offers: Offer[], nowMs: number): Offer[] {
    for (const [id, untilMs] of this.withdrawn) if (untilMs <= nowMs) this.withdrawn.delete(id);
    return this.withdrawn.size === 0 ? offers : offers.filter((offer) => !this.withdrawn.has(offer.id));
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

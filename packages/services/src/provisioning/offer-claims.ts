// Which offers this server is renting right now, or rented or saw "gone" moments ago. Concurrent
// requests for the same GPU all see the same cheapest offers; claims spread them over distinct ones
// instead of racing each other for the first (and 47 of 50 losing with "gone").
import type { Clock } from '@gpu-shopper/domain';

/** A rented or gone offer stays claimed this long (the menu drops it meanwhile). */
export const RETIRED_CLAIM_MS = 5 * 60_000;

export class OfferClaims {
  /** offer id -> the session trying it (null once retired) and until when a retired claim holds. */
  private readonly claims = new Map<string, { sessionId: string | null; untilMs: number }>();

  constructor(private readonly clock: Clock) {}

  /** Takes the offer for `sessionId`; false when another session holds it or it was retired. */
  claim(offerId: string, sessionId: string): boolean {
    const nowMs = this.clock.now().getTime();
    const held = this.claims.get(offerId);
    if (held !== undefined && held.sessionId !== sessionId && (held.sessionId !== null || held.untilMs > nowMs)) return false;
    this.claims.set(offerId, { sessionId, untilMs: Number.POSITIVE_INFINITY });
    return true;
  }

  isAvailable(offerId: string, sessionId: string): boolean {
    const held = this.claims.get(offerId);
    return held === undefined || held.sessionId === sessionId || (held.sessionId === null && held.untilMs <= this.clock.now().getTime());
  }

  /** The create failed for a reason that says nothing about the offer: others may try it. */
  release(offerId: string): void {
    this.claims.delete(offerId);
  }

  /** Rented, or the provider said it is gone: nobody tries it for a while. */
  retire(offerId: string): void {
    const nowMs = this.clock.now().getTime();
    this.claims.set(offerId, { sessionId: null, untilMs: nowMs + RETIRED_CLAIM_MS });
    if (this.claims.size > 10_000) for (const [id, claim] of this.claims) if (claim.sessionId === null && claim.untilMs <= nowMs) this.claims.delete(id);
  }
}

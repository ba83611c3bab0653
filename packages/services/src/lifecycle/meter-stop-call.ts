// When a stop or destroy call took effect at the provider. The adapter retries through 429s, 5xx
// and timeouts, so the attempt that stopped the meter can come seconds after the first one: the
// ledger must end compute at that attempt, not at the first, or a 429 storm makes it undercharge.
import type { Clock } from '@gpu-shopper/domain';
import type { CallObserver } from '@gpu-shopper/providers';

export class MeterStopCall implements CallObserver {
  private effectiveAt: Date | null = null;
  /** Whether `effectiveAt` is the attempt now in flight (so a refusal of it takes it back). */
  private latestIsEffective = false;
  private attempts = 0;

  constructor(private readonly clock: Clock) {}

  sent(): void {
    this.attempts += 1;
    if (this.effectiveAt !== null) return; // an earlier attempt may already have done it
    this.effectiveAt = this.clock.now();
    this.latestIsEffective = true;
  }

  refused(): void {
    if (!this.latestIsEffective) return;
    this.effectiveAt = null;
    this.latestIsEffective = false;
  }

  /** The first attempt that may have taken effect (answered, or lost to a timeout); null when none did. */
  get tookEffectAt(): Date | null {
    return this.effectiveAt;
  }

  /** Attempts went out and the provider refused every one of them: the call changed nothing. */
  get allRefused(): boolean {
    return this.attempts > 0 && this.effectiveAt === null;
  }
}

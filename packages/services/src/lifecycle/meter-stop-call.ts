// When a stop or destroy call took effect at the provider. The adapter retries through 429s, 5xx
// and timeouts, so the attempt that stopped the meter can come seconds after the first one: the
// ledger must end compute at that attempt, not at the first, or a 429 storm (or a destroy that hung
// and did nothing) makes it undercharge.
import type { Clock } from '@gpu-shopper/domain';
import type { CallObserver } from '@gpu-shopper/providers';

type AttemptOutcome =
  /** No answer (timeout, connection lost): it may or may not have taken effect. */
  | 'unknown'
  /** 429 or 5xx: it did nothing. */
  | 'refused'
  /** Answered success by a provider that says "no such instance" to a destroy of a gone one. */
  | 'confirmed'
  /** "No such instance": the target was gone before this attempt arrived. */
  | 'gone';

interface Attempt {
  at: Date;
  outcome: AttemptOutcome;
  /** When the provider's success came back (confirmed attempts). */
  answeredAt?: Date;
}

/**
 * Reads the attempts of one call. The rules, for a destroy:
 * - an attempt answered success found the instance still there, so no earlier unanswered attempt
 *   ended it: compute ended at that attempt, somewhere between when it left and when its answer came
 *   (halfway: a provider busy for a second before it handles the call bills that second; seen in
 *   chaos, 1.3 s on a 75 s session);
 * - an attempt answered "no such instance" after unanswered ones: the first unanswered one most
 *   likely ended it (its answer was lost, not its effect);
 * - only unanswered attempts: the first is the earliest possible end (a later round may prove it
 *   did nothing, see `confirmedAt`).
 * A stop's success proves nothing (stopping a stopped instance succeeds), so it reads as unanswered.
 */
export class MeterStopCall implements CallObserver {
  private readonly attempts: Attempt[] = [];

  /**
   * `writeAhead`: records (durably) that the call is being made, at the moment its first attempt is
   * about to leave; null when an earlier round's record stands.
   */
  constructor(
    private readonly clock: Clock,
    private readonly writeAhead: ((at: Date) => Promise<void>) | null = null,
  ) {}

  async beforeSend(): Promise<void> {
    if (this.attempts.length === 0 && this.writeAhead !== null) await this.writeAhead(this.clock.now());
  }

  sent(): void {
    this.attempts.push({ at: this.clock.now(), outcome: 'unknown' });
  }

  refused(): void {
    this.settleLatest('refused');
  }

  confirmed(): void {
    const latest = this.attempts.at(-1);
    this.settleLatest('confirmed');
    if (latest?.outcome === 'confirmed') latest.answeredAt = this.clock.now();
  }

  alreadyGone(): void {
    this.settleLatest('gone');
  }

  /** The attempt that most likely took effect; null when none did. */
  get tookEffectAt(): Date | null {
    const firstUnknown = this.attempts.find((attempt) => attempt.outcome === 'unknown')?.at ?? null;
    for (const attempt of this.attempts) {
      if (attempt.outcome === 'confirmed') return effectOf(attempt);
      if (attempt.outcome === 'gone') return firstUnknown !== null && firstUnknown < attempt.at ? firstUnknown : null;
    }
    return firstUnknown;
  }

  /** The attempt the provider answered success to (the instance was there and this ended it); null when none was. */
  get confirmedAt(): Date | null {
    const confirmed = this.attempts.find((attempt) => attempt.outcome === 'confirmed');
    return confirmed === undefined ? null : effectOf(confirmed);
  }

  /** Attempts went out and none of them can have ended anything (all refused, or the target was already gone). */
  get allRefused(): boolean {
    return this.attempts.length > 0 && this.tookEffectAt === null;
  }

  private settleLatest(outcome: AttemptOutcome): void {
    const latest = this.attempts.at(-1);
    if (latest !== undefined && latest.outcome === 'unknown') latest.outcome = outcome;
  }
}

/** Halfway between when an answered attempt left and when its answer came. */
function effectOf(attempt: Attempt): Date {
  const answeredAt = attempt.answeredAt;
  return answeredAt === undefined || answeredAt <= attempt.at ? attempt.at : new Date(Math.round((attempt.at.getTime() + answeredAt.getTime()) / 2));
}

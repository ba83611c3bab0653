// A client-side token bucket per provider, so we never trip the provider's own rate limit
// (TensorDock: 100 requests/minute per organisation). Waiting happens here, not in a 429.

export interface RequestBudgetOptions {
  /** Requests that may go out back to back. */
  burst: number;
  /** Steady refill rate. burst + perMinute bounds the requests in any 60 s window. */
  perMinute: number;
  /** Monotonic milliseconds; injectable for tests. */
  nowMs?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export class RequestBudget {
  private tokens: number;
  private lastRefillMs: number;
  private pausedUntilMs = Number.NEGATIVE_INFINITY;
  private readonly nowMs: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  // Waiters queue behind one another so a burst of callers is served in order.
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly options: RequestBudgetOptions) {
    this.nowMs = options.nowMs ?? (() => performance.now());
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.tokens = options.burst;
    this.lastRefillMs = this.nowMs();
  }

  /** An unlimited budget, for simulators and tests that are not about throttling. */
  static unlimited(): RequestBudget {
    return new RequestBudget({ burst: Number.POSITIVE_INFINITY, perMinute: Number.POSITIVE_INFINITY });
  }

  /** Resolves when one request may be sent. */
  take(): Promise<void> {
    const turn = this.queue.then(() => this.takeNow());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /**
   * The provider said to hold off (a 429's Retry-After, or no requests left in its window): nothing
   * more goes out for `ms`. An unlimited budget (simulators and tests not about throttling) ignores it.
   */
  pauseFor(ms: number): void {
    if (!Number.isFinite(this.options.burst) || !(ms > 0)) return;
    this.pausedUntilMs = Math.max(this.pausedUntilMs, this.nowMs() + ms);
  }

  /** Tokens left right now (for tests and diagnostics). */
  available(): number {
    this.refill();
    return this.tokens;
  }

  private async takeNow(): Promise<void> {
    for (;;) {
      const pausedMs = this.pausedUntilMs - this.nowMs();
      if (pausedMs > 0) {
        await this.sleep(Math.ceil(pausedMs));
        continue;
      }
      this.refill();
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      const msPerToken = 60_000 / this.options.perMinute;
      await this.sleep(Math.ceil((1 - this.tokens) * msPerToken));
    }
  }

  private refill(): void {
    if (!Number.isFinite(this.options.burst)) return;
    const now = this.nowMs();
    const elapsedMs = Math.max(0, now - this.lastRefillMs);
    this.lastRefillMs = now;
    this.tokens = Math.min(this.options.burst, this.tokens + (elapsedMs * this.options.perMinute) / 60_000);
  }
}

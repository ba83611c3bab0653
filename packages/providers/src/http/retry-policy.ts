// When and how long to wait before trying a provider call again: exponential back-off with full jitter.
// Delays and the sleep itself are injectable so tests run in milliseconds.

export interface RetryPolicyOptions {
  /** Total tries, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** 0..1; injectable for deterministic tests. */
  random: () => number;
  sleep: (ms: number) => Promise<void>;
}

export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export const DEFAULT_RETRY_OPTIONS: RetryPolicyOptions = {
  maxAttempts: 4,
  baseDelayMs: 300,
  maxDelayMs: 10_000,
  random: Math.random,
  sleep: realSleep,
};

export class RetryPolicy {
  readonly options: RetryPolicyOptions;

  constructor(options: Partial<RetryPolicyOptions> = {}) {
    this.options = { ...DEFAULT_RETRY_OPTIONS, ...options };
  }

  /** A policy that never retries: for calls that must not be repeated blindly. */
  static none(): RetryPolicy {
    return new RetryPolicy({ maxAttempts: 1 });
  }

  /**
   * Delay before retry number `retryIndex` (0 = first retry). Full jitter spreads clients that were
   * throttled together (Vast sends no Retry-After); a provider's Retry-After is a floor when given.
   */
  delayMs(retryIndex: number, retryAfterMs: number | null = null): number {
    const ceiling = Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** retryIndex);
    const jittered = Math.round(this.options.random() * ceiling);
    return retryAfterMs === null ? jittered : Math.min(this.options.maxDelayMs, Math.max(retryAfterMs, jittered));
  }

  canRetry(attempt: number): boolean {
    return attempt < this.options.maxAttempts;
  }

  sleep(ms: number): Promise<void> {
    return ms <= 0 ? Promise.resolve() : this.options.sleep(ms);
  }
}

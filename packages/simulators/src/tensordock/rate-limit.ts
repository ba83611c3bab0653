// TensorDock v2's documented limit: 100 requests per minute per organisation (here: per bearer token),
// with rate-limit headers on every response. The header names are not documented; we send the common
// X-RateLimit-* trio, and a 429 carries Retry-After (a third-party catalog says the API sends it).
// Windows run on the simulator's clock: real time under `npm start`, `npm run sim` and chaos runs; in
// a test, the minutes it simulates (a test that fast-forwards an hour of ticks made them an hour apart).

export const TENSORDOCK_RATE_LIMIT_PER_MINUTE = 100;
const WINDOW_MS = 60_000;

export interface RateDecision {
  allowed: boolean;
  headers: Record<string, string>;
}

export class SlidingWindowLimiter {
  private readonly windows = new Map<string, number[]>();

  constructor(
    private readonly perMinute: number,
    private readonly nowMs: () => number,
  ) {}

  /** Counts a request of `identity` when it is allowed; a refused one does not use up the window. */
  take(identity: string): RateDecision {
    const now = this.nowMs();
    const times = this.windows.get(identity) ?? [];
    while (times.length > 0 && now - times[0]! >= WINDOW_MS) times.shift();
    const allowed = times.length < this.perMinute;
    if (allowed) times.push(now);
    this.windows.set(identity, times);
    const resetSeconds = times.length === 0 ? 0 : Math.max(1, Math.ceil((times[0]! + WINDOW_MS - now) / 1000));
    const headers: Record<string, string> = {
      'X-RateLimit-Limit': String(this.perMinute),
      'X-RateLimit-Remaining': String(Math.max(0, this.perMinute - times.length)),
      'X-RateLimit-Reset': String(resetSeconds),
    };
    if (!allowed) headers['Retry-After'] = String(resetSeconds);
    return { allowed, headers };
  }
}

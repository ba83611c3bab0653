// Rates the checks report: transfer speed in MB/s (10^6 bytes, as disks and networks are sold) and
// LLM decode speed in tokens per second.
export const BYTES_PER_MB = 1_000_000;

/** Bytes over milliseconds as MB/s; a zero or negative duration (clock granularity) counts as 1 ms. */
export function megabytesPerSecond(bytes: number, elapsedMs: number): number {
  if (!Number.isFinite(bytes) || bytes < 0) throw new Error(`byte count must be a non-negative number, got ${bytes}`);
  return bytes / BYTES_PER_MB / (Math.max(elapsedMs, 1) / 1000);
}

export interface TokenTimings {
  /** Completion tokens generated. */
  tokens: number;
  /** When the first token arrived, ms on the same clock as lastTokenAtMs. */
  firstTokenAtMs: number;
  lastTokenAtMs: number;
}

/**
 * Decode speed: the tokens after the first, over the time between the first and the last one. Time
 * to first token (prefill, queueing) is reported apart, so it must not drag this figure down.
 * Null when there is no interval to measure (fewer than two tokens, or all in one chunk).
 */
export function decodeTokensPerSecond(timings: TokenTimings): number | null {
  const spanMs = timings.lastTokenAtMs - timings.firstTokenAtMs;
  if (timings.tokens < 2 || spanMs <= 0) return null;
  return (timings.tokens - 1) / (spanMs / 1000);
}

/** Two significant digits below 10, whole numbers above: "0.85", "8.4", "812". */
export function formatRate(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return value < 10 ? value.toPrecision(2) : Math.round(value).toString();
}

export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

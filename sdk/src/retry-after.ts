// Honours the server's rate limit: on a 429 with Retry-After, a request that is safe to send again
// (a query, or a mutation carrying an Idempotency-Key) waits the stated time and is retried once.
// A second 429, a wait past the cap, or an unsafe request: the 429 goes through as the error it is.

export interface RetryAfterOptions {
  /** The longest Retry-After (seconds) worth waiting for; a longer one is not retried. Default 30; 0 never retries. */
  maxWaitSeconds?: number;
  /** Waits (tests replace it); must reject when the signal aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export const DEFAULT_MAX_RETRY_AFTER_SECONDS = 30;

export function fetchHonouringRetryAfter(base: typeof fetch, options: RetryAfterOptions = {}): typeof fetch {
  const maxWaitSeconds = options.maxWaitSeconds ?? DEFAULT_MAX_RETRY_AFTER_SECONDS;
  const sleep = options.sleep ?? abortableSleep;
  return async (input, init) => {
    // A Request's body can be read once: keep a copy for the retry.
    const retryInput = input instanceof Request ? input.clone() : input;
    const response = await base(input, init);
    if (response.status !== 429 || !isSafeToRetry(input, init)) return response;
    const waitSeconds = retryAfterSeconds(response.headers.get('retry-after'), Date.now());
    if (waitSeconds === null || waitSeconds > maxWaitSeconds) return response;
    await response.body?.cancel().catch(() => undefined);
    await sleep(waitSeconds * 1000, init?.signal ?? undefined);
    return base(retryInput, init);
  };
}

/** A query (GET, HEAD) or any request carrying an Idempotency-Key: the server runs it at most once either way. */
function isSafeToRetry(input: Parameters<typeof fetch>[0], init: RequestInit | undefined): boolean {
  const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
  if (method === 'GET' || method === 'HEAD') return true;
  const headers = new Headers(input instanceof Request ? input.headers : undefined);
  new Headers(init?.headers).forEach((value, name) => headers.set(name, value));
  return (headers.get('idempotency-key') ?? '') !== '';
}

/** Retry-After as seconds from now: delta-seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterSeconds(header: string | null, nowMs: number): number | null {
  if (header === null) return null;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value);
  const atMs = Date.parse(value);
  return Number.isNaN(atMs) ? null : Math.max(0, Math.ceil((atMs - nowMs) / 1000));
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

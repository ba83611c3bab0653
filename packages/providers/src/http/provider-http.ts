// The one door every provider call goes through: request budget, timeout, retries with back-off,
// and transport failures turned into typed errors. Provider keys never leave this module in a message.
import { createFetch, type $Fetch } from 'ofetch';
import type { ProviderName } from '@gpu-shopper/domain';
import { ProviderUnavailableError, RateLimitedError } from '../errors';
import { redactSecrets } from './redact';
import { RequestBudget } from './request-budget';
import { RetryPolicy } from './retry-policy';

/**
 * - `idempotent`: retry 429, 502/503/504, timeouts and connection errors (reads, destroy, stop/start).
 * - `not-idempotent`: retry only what certainly did not reach the provider (429, connection refused);
 *   a timed-out create may have created an instance, so it is reported, not repeated.
 */
export type RetryMode = 'idempotent' | 'not-idempotent';

export interface ProviderRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Sent form-encoded instead of a JSON body (TensorDock's v0 API). */
  form?: Record<string, string>;
  retryMode: RetryMode;
  /** Short name for messages, e.g. "search offers". */
  operation: string;
  timeoutMs?: number;
  /** Return 5xx answers instead of throwing (a failed create's body may name the instance it left behind). */
  passServerErrors?: boolean;
  /** Told of each attempt as it goes out and of each the provider refused (see CallObserver). */
  observer?: CallObserver;
}

/**
 * Watches the attempts of one call, so the caller can tell when the call took effect at the
 * provider: a destroy retried through a 429 storm stops billing at the attempt that got through,
 * not at the first one. `sent` fires as an attempt leaves (after our own request budget let it
 * go); `refused` when the answer to it means it did nothing (429 or 5xx, said here). The adapter
 * says what a destroy's answer means: `confirmed` (success: the instance was still there) or
 * `alreadyGone` ("no such instance": it was gone before this attempt). An attempt with none of
 * these (lost to a timeout, or a success that proves nothing) may or may not have taken effect.
 */
export interface CallObserver {
  /**
   * Awaited as each attempt is about to leave, after our own request budget let it go (which can
   * take a while under a provider's rate limit): the caller's write-ahead of the call goes here, so
   * it is dated when the request really leaves, yet is on disk before it does.
   */
  beforeSend?(): Promise<void>;
  sent(): void;
  refused(): void;
  confirmed(): void;
  alreadyGone(): void;
}

export interface ProviderResponse {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON body; undefined when the body is not JSON (plain-text errors, HTML pages). */
  json: unknown;
}

export interface Logger {
  warn(message: string): void;
  /** Each retried attempt (the call's final failure is the caller's to log, once). Dropped where absent. */
  debug?(message: string): void;
}

export interface ProviderHttpOptions {
  provider: ProviderName;
  baseUrl: string;
  apiKey: string | null;
  fetch?: typeof fetch;
  /** Per attempt. */
  timeoutMs?: number;
  retry?: RetryPolicy;
  budget?: RequestBudget;
  logger?: Logger;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
/** The longest a provider's rate-limit headers can hold all our calls back (one 100-per-minute window). */
const MAX_PROVIDER_PAUSE_MS = 60_000;
const RETRYABLE_STATUSES = new Set([502, 503, 504]);

export class ProviderHttp {
  readonly provider: ProviderName;
  readonly baseUrl: string;
  private readonly apiKey: string | null;
  private readonly $fetch: $Fetch;
  private readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  readonly budget: RequestBudget;
  private readonly logger: Logger | undefined;

  constructor(options: ProviderHttpOptions) {
    this.provider = options.provider;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.apiKey = options.apiKey;
    this.$fetch = options.fetch ? createFetch({ fetch: options.fetch }) : createFetch();
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.retry = options.retry ?? new RetryPolicy();
    this.budget = options.budget ?? RequestBudget.unlimited();
    this.logger = options.logger;
  }

  /** Redacts the key from any text we are about to put in an error or a log line. */
  redact(text: string): string {
    return redactSecrets(text, [this.apiKey]);
  }

  /**
   * Sends the request, retrying what the mode allows. Returns every response that is not a transport
   * failure (2xx and 4xx other than 429): the adapter reads provider-specific error bodies itself.
   */
  async send(request: ProviderRequest): Promise<ProviderResponse> {
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(request);
      if (outcome.kind === 'response') return outcome.response;
      const retryable = outcome.retryable === 'always' || (outcome.retryable === 'idempotent-only' && request.retryMode === 'idempotent');
      if (!retryable || !this.retry.canRetry(attempt)) throw outcome.error;
      const delayMs = this.retry.delayMs(attempt - 1, outcome.retryAfterMs);
      this.logger?.debug?.(this.redact(`${this.provider} ${request.operation}: ${outcome.error.message}; retry ${attempt} in ${delayMs} ms`));
      await this.retry.sleep(delayMs);
    }
  }

  private async attempt(request: ProviderRequest): Promise<AttemptOutcome> {
    await this.budget.take();
    await request.observer?.beforeSend?.();
    request.observer?.sent();
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': 'gpu-shopper' };
    if (this.apiKey !== null) headers.Authorization = `Bearer ${this.apiKey}`;
    if (request.body !== undefined) headers['Content-Type'] = 'application/json';
    if (request.form !== undefined) headers['Content-Type'] = 'application/x-www-form-urlencoded';
    let raw;
    try {
      raw = await this.$fetch.raw<string, 'text'>(`${this.baseUrl}${request.path}`, {
        method: request.method,
        query: request.query,
        headers,
        body: request.form !== undefined ? new URLSearchParams(request.form).toString() : request.body === undefined ? undefined : JSON.stringify(request.body),
        timeout: request.timeoutMs ?? this.timeoutMs,
        retry: false,
        ignoreResponseError: true,
        responseType: 'text',
      });
    } catch (error) {
      return this.transportFailure(request, error);
    }
    const text = typeof raw._data === 'string' ? raw._data : '';
    const response: ProviderResponse = { status: raw.status, headers: raw.headers, text, json: parseJson(text) };
    if (response.status === 429 || (response.status >= 500 && !request.passServerErrors)) request.observer?.refused();
    this.respectRateLimitHeaders(response);
    if (response.status === 429) {
      const retryAfterMs = parseRetryAfterMs(response.headers.get('retry-after'));
      const detail = this.redact(errorText(response));
      return {
        kind: 'failure',
        retryable: 'always',
        retryAfterMs,
        error: new RateLimitedError(this.provider, `${request.operation}: HTTP 429 ${detail}`, retryAfterMs),
      };
    }
    if (response.status >= 500 && !request.passServerErrors) {
      const detail = this.redact(errorText(response));
      return {
        kind: 'failure',
        retryable: RETRYABLE_STATUSES.has(response.status) ? 'idempotent-only' : 'never',
        retryAfterMs: null,
        error: new ProviderUnavailableError(this.provider, `${request.operation}: HTTP ${response.status} ${detail}`),
      };
    }
    return { kind: 'response', response };
  }

  /**
   * TensorDock sends its window on every answer (X-RateLimit-Remaining / -Reset) and Retry-After on a
   * 429: when it says none are left, the whole budget waits, so our other calls do not hit the limit too.
   */
  private respectRateLimitHeaders(response: ProviderResponse): void {
    const retryAfterMs = response.status === 429 ? parseRetryAfterMs(response.headers.get('retry-after')) : null;
    const remaining = response.headers.get('x-ratelimit-remaining');
    const resetMs = parseRetryAfterMs(response.headers.get('x-ratelimit-reset'));
    // The reset's format is not documented: seconds until the window resets is believed; a larger
    // value (an epoch timestamp, say) is not, and no pause is ever longer than one window: a garbled
    // header must not stop our destroys.
    const waitMs = retryAfterMs ?? (remaining !== null && Number(remaining) <= 0 && resetMs !== null && resetMs <= MAX_PROVIDER_PAUSE_MS ? resetMs : null);
    if (waitMs !== null) this.budget.pauseFor(Math.min(waitMs, MAX_PROVIDER_PAUSE_MS));
  }

  private transportFailure(request: ProviderRequest, error: unknown): AttemptOutcome {
    const code = findErrorCode(error);
    const timedOut = code === 'TimeoutError' || code === 'AbortError' || code === 'UND_ERR_HEADERS_TIMEOUT';
    const refused = code === 'ECONNREFUSED';
    const what = timedOut ? `timed out after ${request.timeoutMs ?? this.timeoutMs} ms` : `connection failed (${code ?? 'unknown'})`;
    return {
      kind: 'failure',
      // A refused connection never reached the provider, so even a create may be repeated.
      retryable: refused ? 'always' : 'idempotent-only',
      retryAfterMs: null,
      error: new ProviderUnavailableError(this.provider, this.redact(`${request.operation}: ${what}`), { cause: timedOut ? undefined : code }),
    };
  }
}

type AttemptOutcome =
  | { kind: 'response'; response: ProviderResponse }
  | {
      kind: 'failure';
      retryable: 'always' | 'idempotent-only' | 'never';
      retryAfterMs: number | null;
      error: RateLimitedError | ProviderUnavailableError;
    };

export function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The human part of an error body: JSON msg/message/detail/error, or the plain text itself. */
export function errorText(response: Pick<ProviderResponse, 'json' | 'text'>): string {
  const body = response.json;
  if (body !== null && typeof body === 'object') {
    const record = body as Record<string, unknown>;
    const parts = [record.error, record.msg ?? record.message ?? record.detail].filter((part) => typeof part === 'string' && part !== '');
    if (parts.length > 0) return parts.join(': ');
  }
  return response.text.trim().slice(0, 200);
}

function parseRetryAfterMs(header: string | null): number | null {
  if (header === null) return null;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : null;
}

/** Walks the cause chain of a fetch failure for a system error code or an abort/timeout name. */
function findErrorCode(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== null && typeof current === 'object'; depth++) {
    const record = current as { code?: unknown; name?: unknown; cause?: unknown };
    if (typeof record.code === 'string') return record.code;
    if (record.name === 'TimeoutError' || record.name === 'AbortError') return record.name;
    current = record.cause;
  }
  return null;
}

// The typed SDK: a tRPC client for the Cloud GPU Shopper API. Its router type carries each
// procedure's input and output and nothing of the server (see client-router.ts), so inputs and
// outputs are checked at compile time without the server's code or dependencies.
import { createTRPCClient, httpLink, TRPCClientError, type TRPCClient } from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from './client-router';
import { fetchHonouringRetryAfter, retryAfterSeconds, type RetryAfterOptions } from './retry-after';

export interface ShopperClientOptions {
  /** The server's base URL, e.g. "http://localhost:8080". */
  url: string;
  apiKey: string;
  /** Replaces the global fetch (tests, proxies, custom agents). */
  fetch?: typeof fetch;
  /**
   * Sent with every request of this client. An `idempotency-key` here makes its mutations safe to
   * retry: one rate-limited (429) is then retried after Retry-After, as queries always are.
   */
  headers?: Record<string, string>;
  /** How a 429's Retry-After is honoured (one retry, waits up to 30 s by default). */
  retryAfter?: RetryAfterOptions;
}

export type ShopperClient = TRPCClient<AppRouter>;
export type { AppRouter };
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type Offer = RouterOutputs['inventory']['search']['offers'][number];
export type Session = RouterOutputs['sessions']['list']['sessions'][number];
export type SessionDetail = RouterOutputs['sessions']['get'];
export type Budget = RouterOutputs['budgets']['list']['budgets'][number];
export type CostSummary = RouterOutputs['costs']['summary'];
export type ApiKeySummary = RouterOutputs['admin']['listKeys']['keys'][number];
export type AuditEvent = RouterOutputs['audit']['list']['events'][number];

export function createShopperClient(options: ShopperClientOptions): ShopperClient {
  const base = options.url.replace(/\/+$/, '');
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${base}/trpc`,
        headers: () => ({ ...options.headers, authorization: `Bearer ${options.apiKey}` }),
        // Resolved per call, so a global fetch replaced later (tests, instrumentation) is the one used.
        fetch: fetchHonouringRetryAfter(options.fetch ?? ((input, init) => globalThis.fetch(input, init)), options.retryAfter),
      }),
    ],
  });
}

/**
 * How often `waitForReady` (and the CLI's `--wait`) reads the session by default. The server marks a
 * session ready the moment its node's first heartbeat arrives, so a 2 s poll added up to 2 s to the
 * wait; two reads a second are far under a key's rate limit.
 */
export const DEFAULT_WAIT_POLL_MS = 500;

export interface WaitForReadyOptions {
  /** Default DEFAULT_WAIT_POLL_MS (500 ms). */
  pollIntervalMs?: number;
  /** Default 20 min. */
  timeoutMs?: number;
  onProgress?: (session: SessionDetail, elapsedMs: number) => void;
  signal?: AbortSignal;
}

export class SessionNotReadyError extends Error {
  constructor(
    message: string,
    readonly session: SessionDetail | null,
  ) {
    super(message);
    this.name = 'SessionNotReadyError';
  }
}

/**
 * Polls a session until it is ready (resolves) or ends or times out (rejects with SessionNotReadyError);
 * `onProgress` sees every poll. A function beside the client, not on it: the tRPC client is a proxy
 * that reads every property as a procedure.
 */
export async function waitForReady(client: { sessions: { get: { query(input: { id: string }): Promise<SessionDetail> } } }, sessionId: string, options: WaitForReadyOptions = {}): Promise<SessionDetail> {
  const started = Date.now();
  const interval = options.pollIntervalMs ?? DEFAULT_WAIT_POLL_MS;
  const timeout = options.timeoutMs ?? 20 * 60_000;
  for (;;) {
    const session = await client.sessions.get.query({ id: sessionId });
    const elapsed = Date.now() - started;
    options.onProgress?.(session, elapsed);
    if (session.state === 'ready') return session;
    if (session.state !== 'provisioning') throw new SessionNotReadyError(`session ${sessionId} is ${session.state}${session.failureReason ? `: ${session.failureReason}` : ''}`, session);
    if (elapsed >= timeout) throw new SessionNotReadyError(`session ${sessionId} was not ready after ${Math.round(elapsed / 1000)} s`, session);
    if (options.signal?.aborted) throw new SessionNotReadyError('stopped waiting', session);
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

/** What went wrong with a call, in a form a CLI or an app can act on. */
export interface ShopperErrorInfo {
  /** The tRPC code ("UNAUTHORIZED", "NOT_FOUND"...), or "UNREACHABLE" when no server answered. */
  code: string;
  httpStatus: number | null;
  message: string;
  field: string | null;
  /** On a 429 (rate limited): how long the server asked to wait, in seconds. */
  retryAfterSeconds: number | null;
}

export function describeShopperError(error: unknown): ShopperErrorInfo {
  if (error instanceof TRPCClientError) {
    const data = (error.data ?? {}) as { code?: string; httpStatus?: number; field?: string | null };
    if (data.code === undefined) {
      return { code: 'UNREACHABLE', httpStatus: null, message: `cannot reach the server: ${error.message}`, field: null, retryAfterSeconds: null };
    }
    const response = (error.meta as { response?: { headers?: Headers } } | undefined)?.response;
    const retryAfter = data.httpStatus === 429 ? retryAfterSeconds(response?.headers?.get('retry-after') ?? null, Date.now()) : null;
    return { code: data.code, httpStatus: data.httpStatus ?? null, message: error.message, field: data.field ?? null, retryAfterSeconds: retryAfter };
  }
  return { code: 'UNKNOWN', httpStatus: null, message: error instanceof Error ? error.message : String(error), field: null, retryAfterSeconds: null };
}

export { TRPCClientError };
export { DEFAULT_MAX_RETRY_AFTER_SECONDS, fetchHonouringRetryAfter, type RetryAfterOptions } from './retry-after';
export { sessionPages } from './pagination';

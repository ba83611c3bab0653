// The typed SDK: a tRPC client for the Cloud GPU Shopper API. It imports the API's types only —
// no server code is bundled — so inputs and outputs are checked at compile time.
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import type { AppRouter, RouterInputs, RouterOutputs } from '@gpu-shopper/api';

export interface ShopperClientOptions {
  /** The server's base URL, e.g. "http://localhost:8080". */
  url: string;
  apiKey: string;
  /** Replaces the global fetch (tests, proxies, custom agents). */
  fetch?: typeof fetch;
}

export type ShopperClient = ReturnType<typeof createShopperClient>;
export type { AppRouter, RouterInputs, RouterOutputs };
export type Offer = RouterOutputs['inventory']['search']['offers'][number];
export type Session = RouterOutputs['sessions']['list']['sessions'][number];
export type SessionDetail = RouterOutputs['sessions']['get'];
export type Budget = RouterOutputs['budgets']['list']['budgets'][number];
export type CostSummary = RouterOutputs['costs']['summary'];
export type ApiKeySummary = RouterOutputs['admin']['listKeys']['keys'][number];

export function createShopperClient(options: ShopperClientOptions) {
  const base = options.url.replace(/\/+$/, '');
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${base}/trpc`,
        headers: () => ({ authorization: `Bearer ${options.apiKey}` }),
        fetch: options.fetch,
      }),
    ],
  });
}

export interface WaitForReadyOptions {
  /** Default 2 s. */
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
  const interval = options.pollIntervalMs ?? 2_000;
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
}

export function describeShopperError(error: unknown): ShopperErrorInfo {
  if (error instanceof TRPCClientError) {
    const data = (error.data ?? {}) as { code?: string; httpStatus?: number; field?: string | null };
    if (data.code === undefined) {
      return { code: 'UNREACHABLE', httpStatus: null, message: `cannot reach the server: ${error.message}`, field: null };
    }
    return { code: data.code, httpStatus: data.httpStatus ?? null, message: error.message, field: data.field ?? null };
  }
  return { code: 'UNKNOWN', httpStatus: null, message: error instanceof Error ? error.message : String(error), field: null };
}

export { TRPCClientError };

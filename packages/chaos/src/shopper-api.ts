// The few REST calls the harness makes to the gpu-shopper server, with the distinction the chaos
// needs: an answer (even an error) versus no answer at all (the server is down or was killed).
// With several replicas, requests go round-robin and a request moves on to the next replica when
// one refuses the connection or answers 502/503, as a load balancer would; reads (GET) also move on
// when a replica dies under them. Every request is counted: answered, or not by any replica.
import type { Budget, Offer, Session } from '@gpu-shopper/domain';

/** The server answered with an error status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | null,
    message: string,
  ) {
    super(message);
  }
}

/** No answer: connection refused or reset, or no response in time. */
export class NoAnswerError extends Error {}

export interface SessionCostAnswer {
  sessionId: string;
  totalUsd: number;
  computeUsd: number;
  storageUsd: number;
  state: string;
}

export interface CreateSessionBody {
  gpu: string;
  hours: number;
  provider: 'vastai' | 'tensordock';
  workload: 'llm' | 'training' | 'batch';
  llmModel?: string;
}

/** A create for one specific offer (its price is known beforehand). */
export interface OfferSessionBody {
  offerId: string;
  hours: number;
  workload: 'llm' | 'training' | 'batch';
}

/** One row of GET /webhook/deliveries (the fields the harness reads). */
export interface WebhookDeliveryRow {
  id: string;
  event: string;
  url: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
}

/** Why a request got no usable answer from any replica. */
export type UnansweredReason = 'refused' | 'unavailable' | 'cut-off';

export interface AnswerCounts {
  /** Requests made (each counted once, however many replicas it tried). */
  attempted: number;
  /** Answered by some replica with anything but 502/503 (errors included: the server decided). */
  answered: number;
  /** Every replica refused the connection (or was dead under a read). */
  refused: number;
  /** Every replica that answered said 502/503 (starting, recovering, draining, or a provider outage). */
  unavailable: number;
  /** The replica died or stalled mid-request (a write is not repeated elsewhere: it may have run). */
  cutOff: number;
  /** Requests answered by another replica than the first one tried. */
  failedOver: number;
}

/** Counts every request's fate, for the fraction answered. */
export class AnswerStats {
  private readonly counts: AnswerCounts = { attempted: 0, answered: 0, refused: 0, unavailable: 0, cutOff: 0, failedOver: 0 };

  answered(afterFailover: boolean): void {
    this.counts.attempted += 1;
    this.counts.answered += 1;
    if (afterFailover) this.counts.failedOver += 1;
  }

  unanswered(reason: UnansweredReason): void {
    this.counts.attempted += 1;
    if (reason === 'refused') this.counts.refused += 1;
    else if (reason === 'unavailable') this.counts.unavailable += 1;
    else this.counts.cutOff += 1;
  }

  snapshot(): AnswerCounts {
    return { ...this.counts };
  }
}

/** Answered / attempted; null when nothing was asked. */
export function fractionAnswered(counts: AnswerCounts): number | null {
  return counts.attempted === 0 ? null : counts.answered / counts.attempted;
}

const UNAVAILABLE_STATUSES = new Set([502, 503]);

export class ShopperApi {
  readonly baseUrls: readonly string[];
  private nextIndex = 0;

  constructor(
    baseUrls: string | readonly string[],
    private readonly timeoutMs = 20_000,
    readonly stats = new AnswerStats(),
  ) {
    this.baseUrls = typeof baseUrls === 'string' ? [baseUrls] : [...baseUrls];
    if (this.baseUrls.length === 0) throw new Error('ShopperApi needs at least one server URL');
  }

  /** A client for one of the replicas alone, counted with this one. */
  only(baseUrl: string): ShopperApi {
    return new ShopperApi(baseUrl, this.timeoutMs, this.stats);
  }

  /** The first replica (a single server's URL). */
  get baseUrl(): string {
    return this.baseUrls[0]!;
  }

  /** The next replica in round-robin order (for clients that take one URL, such as the CLI). */
  nextUrl(): string {
    const url = this.baseUrls[this.nextIndex % this.baseUrls.length]!;
    this.nextIndex += 1;
    return url;
  }

  async request<T>(method: string, path: string, options: { key: string; body?: unknown; headers?: Record<string, string>; timeoutMs?: number }): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${options.key}`, ...options.headers };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const first = this.nextIndex % this.baseUrls.length;
    this.nextIndex += 1;
    // A read can be asked again anywhere; a write that reached a replica may have run there.
    const repeatable = method === 'GET';
    let unavailable: ApiError | null = null;
    let noAnswer: NoAnswerError | null = null;
    for (let step = 0; step < this.baseUrls.length; step++) {
      const baseUrl = this.baseUrls[(first + step) % this.baseUrls.length]!;
      let response: Response;
      let text: string;
      try {
        response = await fetch(`${baseUrl}${path}`, {
          method,
          headers,
          body: options.body === undefined ? undefined : JSON.stringify(options.body),
          signal: AbortSignal.timeout(options.timeoutMs ?? this.timeoutMs),
        });
      } catch (error) {
        const reason = describe(error);
        noAnswer = new NoAnswerError(`${method} ${path}: no answer (${reason})`);
        if (reason === 'ECONNREFUSED' || (repeatable && reason !== 'timed out')) continue;
        this.stats.unanswered('cut-off');
        throw noAnswer;
      }
      try {
        text = await response.text();
      } catch (error) {
        noAnswer = new NoAnswerError(`${method} ${path}: the answer was cut off (${describe(error)})`);
        if (repeatable) continue;
        this.stats.unanswered('cut-off');
        throw noAnswer;
      }
      const body = text === '' ? null : safeJson(text);
      if (!response.ok) {
        const payload = (body ?? {}) as { message?: string; code?: string };
        const error = new ApiError(response.status, payload.code ?? null, `${method} ${path}: HTTP ${response.status} ${payload.message ?? text.slice(0, 200)}`);
        if (UNAVAILABLE_STATUSES.has(response.status)) {
          unavailable = error;
          continue;
        }
        this.stats.answered(step > 0);
        throw error;
      }
      this.stats.answered(step > 0);
      return body as T;
    }
    // No replica could take it: an answer from a live but unavailable one says more than a refusal.
    this.stats.unanswered(unavailable !== null ? 'unavailable' : 'refused');
    throw unavailable ?? noAnswer!;
  }

  async createConsumerKey(adminKey: string, consumer: string): Promise<string> {
    return (await this.request<{ key: string }>('POST', '/api/v1/admin/keys', { key: adminKey, body: { consumer } })).key;
  }

  createSession(key: string, body: CreateSessionBody | OfferSessionBody, idempotencyKey: string): Promise<Session> {
    return this.request<Session>('POST', '/api/v1/sessions', { key, body, headers: { 'idempotency-key': idempotencyKey } });
  }

  done(key: string, sessionId: string): Promise<Session> {
    return this.request<Session>('POST', `/api/v1/sessions/${encodeURIComponent(sessionId)}/done`, { key, body: {} });
  }

  forceShutdown(key: string, sessionId: string): Promise<Session> {
    return this.request<Session>('DELETE', `/api/v1/sessions/${encodeURIComponent(sessionId)}`, { key });
  }

  async listSessions(key: string, options: { all?: boolean } = {}): Promise<Session[]> {
    return (await this.request<{ sessions: Session[] }>('GET', `/api/v1/sessions${options.all ? '?all=true' : ''}`, { key })).sessions;
  }

  sessionCost(key: string, sessionId: string): Promise<SessionCostAnswer> {
    return this.request<SessionCostAnswer>('GET', `/api/v1/costs/sessions/${encodeURIComponent(sessionId)}`, { key });
  }

  async whoami(key: string): Promise<{ role: string; consumerId: string | null; consumerName: string | null }> {
    return this.request('GET', '/api/v1/whoami', { key });
  }

  async searchOffers(key: string, query: { gpu?: string; provider?: 'vastai' | 'tensordock'; limit?: number }): Promise<Offer[]> {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, String(value));
    return (await this.request<{ offers: Offer[] }>('GET', `/api/v1/inventory?${params.toString()}`, { key })).offers;
  }

  createBudget(key: string, body: { consumer?: string; limitUsd: number; period: 'day' | 'month' | 'total'; action: 'alert' | 'block' | 'shutdown'; thresholdsPercent?: number[] }): Promise<Budget> {
    return this.request<Budget>('POST', '/api/v1/budgets', { key, body });
  }

  /** Newest first, at most `limit` (the server's cap is 500). */
  async webhookDeliveries(key: string, limit = 500): Promise<WebhookDeliveryRow[]> {
    return (await this.request<{ deliveries: WebhookDeliveryRow[] }>('GET', `/api/v1/webhook/deliveries?limit=${limit}`, { key })).deliveries;
  }
}

/** Whether a failed call is worth repeating: no answer, overload, or the server still starting. */
export function isTransient(error: unknown): boolean {
  if (error instanceof NoAnswerError) return true;
  return error instanceof ApiError && (error.status === 429 || error.status >= 500);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return { message: text.slice(0, 200) };
  }
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return cause.code;
  if (error instanceof Error) return error.name === 'TimeoutError' ? 'timed out' : error.message;
  return String(error);
}

// The few REST calls the harness makes to the gpu-shopper server, with the distinction the chaos
// needs: an answer (even an error) versus no answer at all (the server is down or was killed).
import type { Session } from '@gpu-shopper/domain';

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

export class ShopperApi {
  constructor(
    readonly baseUrl: string,
    private readonly timeoutMs = 20_000,
  ) {}

  async request<T>(method: string, path: string, options: { key: string; body?: unknown; headers?: Record<string, string>; timeoutMs?: number }): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${options.key}`, ...options.headers };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(options.timeoutMs ?? this.timeoutMs),
      });
    } catch (error) {
      throw new NoAnswerError(`${method} ${path}: no answer (${describe(error)})`);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw new NoAnswerError(`${method} ${path}: the answer was cut off (${describe(error)})`);
    }
    const body = text === '' ? null : safeJson(text);
    if (!response.ok) {
      const payload = (body ?? {}) as { message?: string; code?: string };
      throw new ApiError(response.status, payload.code ?? null, `${method} ${path}: HTTP ${response.status} ${payload.message ?? text.slice(0, 200)}`);
    }
    return body as T;
  }

  async createConsumerKey(adminKey: string, consumer: string): Promise<string> {
    return (await this.request<{ key: string }>('POST', '/api/v1/admin/keys', { key: adminKey, body: { consumer } })).key;
  }

  createSession(key: string, body: CreateSessionBody, idempotencyKey: string): Promise<Session> {
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

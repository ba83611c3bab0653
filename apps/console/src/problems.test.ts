import { describe, expect, it } from 'vitest';
import { TRPCClientError } from '@gpu-shopper/sdk';
import { problemOf, retryDelayMs, shouldRetry } from './problems';

function serverError(code: string, httpStatus: number, message: string, headers: Record<string, string> = {}) {
  return new TRPCClientError(message, {
    result: { error: { code: -32000, message, data: { code, httpStatus, field: null } } },
    meta: { response: { headers: new Headers(headers) } },
  });
}

describe('console problems', () => {
  it('tells an unreachable server from a rejected key and a rate limit', () => {
    expect(problemOf(new TRPCClientError('fetch failed'))).toMatchObject({ kind: 'unreachable', title: 'Cannot reach the server' });
    expect(problemOf(serverError('UNAUTHORIZED', 401, 'invalid API key'))).toMatchObject({ kind: 'key-rejected', title: 'Key rejected' });
    expect(problemOf(serverError('TOO_MANY_REQUESTS', 429, 'slow down', { 'retry-after': '7' }))).toEqual({
      kind: 'rate-limited',
      title: 'Too many requests',
      detail: 'The server asked us to slow down; trying again in 7 s.',
      retryAfterSeconds: 7,
    });
    expect(problemOf(serverError('PRECONDITION_FAILED', 412, 'session is stopping'))).toMatchObject({ kind: 'conflict', detail: 'session is stopping' });
    expect(problemOf(new Error('boom'))).toMatchObject({ kind: 'server', detail: 'boom' });
  });

  it('retries the network, the rate limit and server errors a few times, never a refusal', () => {
    expect(shouldRetry(0, new TRPCClientError('fetch failed'))).toBe(true);
    expect(shouldRetry(3, new TRPCClientError('fetch failed'))).toBe(false);
    expect(shouldRetry(0, serverError('UNAUTHORIZED', 401, 'no'))).toBe(false);
    expect(shouldRetry(0, serverError('FORBIDDEN', 403, 'no'))).toBe(false);
    expect(shouldRetry(1, serverError('INTERNAL_SERVER_ERROR', 500, 'oops'))).toBe(true);
  });

  it('waits what the server asked, else backs off up to 15 s', () => {
    expect(retryDelayMs(0, serverError('TOO_MANY_REQUESTS', 429, 'slow down', { 'retry-after': '7' }))).toBe(7_000);
    expect(retryDelayMs(0, new TRPCClientError('fetch failed'))).toBe(1_000);
    expect(retryDelayMs(2, new TRPCClientError('fetch failed'))).toBe(4_000);
    expect(retryDelayMs(6, new TRPCClientError('fetch failed'))).toBe(15_000);
  });
});

// What went wrong with a call, said for a person, and whether (and when) it is worth asking again.
// Built on the SDK's describeShopperError, which reads tRPC's error data and a 429's Retry-After.
import { describeShopperError } from '@gpu-shopper/sdk';

export type ProblemKind = 'unreachable' | 'key-rejected' | 'rate-limited' | 'forbidden' | 'not-found' | 'invalid' | 'conflict' | 'server';

export interface Problem {
  kind: ProblemKind;
  title: string;
  detail: string;
  /** On a 429: what the server asked us to wait, in seconds. */
  retryAfterSeconds: number | null;
}

const KINDS: Record<string, ProblemKind> = {
  UNREACHABLE: 'unreachable',
  UNAUTHORIZED: 'key-rejected',
  TOO_MANY_REQUESTS: 'rate-limited',
  FORBIDDEN: 'forbidden',
  NOT_FOUND: 'not-found',
  BAD_REQUEST: 'invalid',
  CONFLICT: 'conflict',
  PRECONDITION_FAILED: 'conflict',
};

export function problemOf(error: unknown): Problem {
  const info = describeShopperError(error);
  const kind = KINDS[info.code] ?? 'server';
  const retryAfterSeconds = info.retryAfterSeconds;
  switch (kind) {
    case 'unreachable':
      return { kind, title: 'Cannot reach the server', detail: 'The server did not answer. Check that it is running; the console keeps trying.', retryAfterSeconds };
    case 'key-rejected':
      return { kind, title: 'Key rejected', detail: 'The server does not accept this API key: it may be mistyped, revoked or expired.', retryAfterSeconds };
    case 'rate-limited':
      return { kind, title: 'Too many requests', detail: `The server asked us to slow down${retryAfterSeconds === null ? '' : `; trying again in ${retryAfterSeconds} s`}.`, retryAfterSeconds };
    case 'forbidden':
      return { kind, title: 'Not allowed with this key', detail: info.message, retryAfterSeconds };
    case 'not-found':
      return { kind, title: 'Not found', detail: info.message, retryAfterSeconds };
    default:
      return { kind, title: kind === 'server' ? 'The server could not answer' : 'Not done', detail: info.message, retryAfterSeconds };
  }
}

/** Failures that a second try may fix: the network, the rate limit, the server's own errors. */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  const { kind } = problemOf(error);
  return (kind === 'unreachable' || kind === 'rate-limited' || kind === 'server') && failureCount < 3;
}

/** The server's Retry-After when it gave one, else a backoff of 1, 2, 4... seconds up to 15. */
export function retryDelayMs(attempt: number, error: unknown): number {
  const { retryAfterSeconds } = problemOf(error);
  return retryAfterSeconds !== null ? retryAfterSeconds * 1000 : Math.min(1000 * 2 ** attempt, 15_000);
}

// Session-token check for every route but the bare health probe: constant-time, never logged.
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** Compares digests so neither the content nor the length of the token leaks through timing. */
export function tokensMatch(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

/** Extracts the token from an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header[0] : header;
  const match = value?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1] ?? null;
}

export function isAuthorized(header: string | string[] | undefined, expectedToken: string): boolean {
  const token = bearerToken(header);
  return token !== null && tokensMatch(token, expectedToken);
}

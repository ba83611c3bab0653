import { describe, expect, it } from 'vitest';
import { bearerToken, isAuthorized, tokensMatch } from './bearer';

describe('bearer token check', () => {
  it('accepts the exact token only', () => {
    expect(tokensMatch('secret-token', 'secret-token')).toBe(true);
    expect(tokensMatch('secret-token!', 'secret-token')).toBe(false);
    expect(tokensMatch('', 'secret-token')).toBe(false);
  });

  it('parses the Authorization header', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer abc ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeNull();
    expect(bearerToken('Bearer a b')).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
  });

  it('authorizes', () => {
    expect(isAuthorized('Bearer tok', 'tok')).toBe(true);
    expect(isAuthorized('Bearer nope', 'tok')).toBe(false);
    expect(isAuthorized(undefined, 'tok')).toBe(false);
  });
});

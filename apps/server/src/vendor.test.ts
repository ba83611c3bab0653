import { describe, expect, it } from 'vitest';
import { loadVendored, VENDORED_PACKAGES } from './vendor';

describe('the vendor bundle', () => {
  it('names its packages, and refuses any other', () => {
    expect(VENDORED_PACKAGES).toEqual(expect.arrayContaining(['@mikro-orm/core', 'fastify', 'zod', 'trpc-to-openapi']));
    expect(() => loadVendored('left-pad')).toThrow(/left-pad is not in the server's vendor bundle/);
  });
});

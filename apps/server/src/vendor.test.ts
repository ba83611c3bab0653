import { describe, expect, it } from 'vitest';
import { loadVendored, VENDORED_PACKAGES } from './vendor';
import { LATER_VENDORED_PACKAGES, loadVendored as loadLaterVendored } from './vendor-later';

describe('the vendor bundle', () => {
  it('names its packages, and refuses any other', () => {
    expect(VENDORED_PACKAGES).toEqual(expect.arrayContaining(['@mikro-orm/core', '@mikro-orm/sqlite', 'fastify', 'zod']));
    expect(() => loadVendored('left-pad')).toThrow(/left-pad is not in the server's vendor bundle \(src\/vendor.ts\)/);
  });

  it('leaves the packages a start does not need before it is ready to the later bundle, and holds each in one bundle only', () => {
    expect([...LATER_VENDORED_PACKAGES].sort()).toEqual(['@mikro-orm/migrations', '@mikro-orm/postgresql', 'trpc-to-openapi']);
    expect(VENDORED_PACKAGES.filter((name) => LATER_VENDORED_PACKAGES.includes(name))).toEqual([]);
    expect(() => loadLaterVendored('fastify')).toThrow(/fastify is not in the server's vendor bundle \(src\/vendor-later.ts\)/);
  });
});

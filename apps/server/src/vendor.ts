// The server's third-party packages (MikroORM and knex, Fastify, pino, toad-scheduler, zod, tRPC),
// built by tsup.config.ts into one CommonJS file, dist/vendor.cjs, that the ES bundle requires (see
// src/build/vendor-imports.ts), and that compiles through the code cache (compile-cache.ts). Loading them from node_modules resolved some 880 files one by one
// (package.json reads, stats, path walks): a fifth of the start's CPU. Built as CommonJS only: the
// require() calls below are what esbuild bundles, and each package's modules run on first load.
/* eslint-disable @typescript-eslint/no-require-imports -- see above: this file is only ever built to CommonJS */

const PACKAGES: Record<string, () => unknown> = {
  '@mikro-orm/core': () => require('@mikro-orm/core'),
  '@mikro-orm/knex': () => require('@mikro-orm/knex'),
  '@mikro-orm/sqlite': () => require('@mikro-orm/sqlite'),
  '@mikro-orm/postgresql': () => require('@mikro-orm/postgresql'),
  '@mikro-orm/migrations': () => require('@mikro-orm/migrations'),
  fastify: () => require('fastify'),
  pino: () => require('pino'),
  'toad-scheduler': () => require('toad-scheduler'),
  // ES packages with CommonJS builds: from node_modules, Node's ES loader resolved, read and compiled
  // each of their files (zod's some 60) at every start. Safe here only because nothing loads them
  // from node_modules any more (a second copy would make zod's and tRPC's instanceof checks fail):
  // trpc-to-openapi, their one other user, is vendored with them.
  zod: () => require('zod'),
  '@trpc/server': () => require('@trpc/server'),
  '@trpc/server/adapters/fastify': () => require('@trpc/server/adapters/fastify'),
  '@trpc/server/rpc': () => require('@trpc/server/rpc'),
  'trpc-to-openapi': () => require('trpc-to-openapi'),
};

/** The packages dist/vendor.cjs holds, by the name the server's code imports them with. */
export const VENDORED_PACKAGES: readonly string[] = Object.keys(PACKAGES);

/** A vendored package's exports, as require(name) gives them (loaded on the first call). */
export function loadVendored(name: string): unknown {
  const load = PACKAGES[name];
  if (load === undefined) throw new Error(`${name} is not in the server's vendor bundle (src/vendor.ts)`);
  return load();
}

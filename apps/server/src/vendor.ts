// The server's third-party packages that a start needs before it is ready (MikroORM with knex and
// SQLite, Fastify, pino, toad-scheduler, zod, tRPC, ofetch), built by tsup.config.ts into one
// CommonJS file, dist/vendor.cjs, that the server bundle requires (see src/build/vendor-imports.ts),
// and that compiles through the code cache (compile-cache.ts). Loading them from node_modules
// resolved some 880 files one by one (package.json reads, stats, path walks): a fifth of the start's
// CPU. Packages used only later or rarely are in src/vendor-later.ts, which requires these from
// here. Built as CommonJS only: the require() calls below are what esbuild bundles, and each
// package's modules run on first load.
/* eslint-disable @typescript-eslint/no-require-imports -- see above: this file is only ever built to CommonJS */
import { vendorRegistry } from './vendor-registry';

const registry = vendorRegistry('src/vendor.ts', {
  '@mikro-orm/core': () => require('@mikro-orm/core'),
  '@mikro-orm/knex': () => require('@mikro-orm/knex'),
  '@mikro-orm/sqlite': () => require('@mikro-orm/sqlite'),
  fastify: () => require('fastify'),
  // Fastify's own copies (inside its bundle), for the inventory fast path that answers in front of it.
  'fast-querystring': () => require('fast-querystring'),
  '@fastify/proxy-addr': () => require('@fastify/proxy-addr'),
  pino: () => require('pino'),
  // The providers' HTTP client: its platform-neutral build (see src/build/neutral-builds.ts).
  ofetch: () => require('ofetch'),
  'toad-scheduler': () => require('toad-scheduler'),
  // ES packages with CommonJS builds: from node_modules, Node's ES loader resolved, read and compiled
  // each of their files (zod's some 60) at every start. Safe here only because nothing loads them
  // from node_modules any more (a second copy would make zod's and tRPC's instanceof checks fail):
  // trpc-to-openapi, their one other user, takes them from here, the subpaths it imports included.
  zod: () => require('zod'),
  'zod/v4': () => require('zod/v4'),
  'zod/v4/core': () => require('zod/v4/core'),
  '@trpc/server': () => require('@trpc/server'),
  '@trpc/server/adapters/fastify': () => require('@trpc/server/adapters/fastify'),
  '@trpc/server/adapters/node-http': () => require('@trpc/server/adapters/node-http'),
  '@trpc/server/rpc': () => require('@trpc/server/rpc'),
  '@trpc/server/unstable-core-do-not-import': () => require('@trpc/server/unstable-core-do-not-import'),
});

/** The packages dist/vendor.cjs holds, by the name the server's code imports them with. */
export const VENDORED_PACKAGES = registry.packages;

/** A vendored package's exports, as require(name) gives them (loaded on the first call). */
export const loadVendored = registry.loadVendored;

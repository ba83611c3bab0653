// The server's third-party packages that a start does not need before it is ready, built by
// tsup.config.ts into dist/vendor-later.cjs, read only when one of them is first loaded: the
// migrator (with umzug: only when migrations are pending), the PostgreSQL driver (only with a
// PostgreSQL URL) and trpc-to-openapi (the first REST request). In dist/vendor.cjs they were a
// third of the file every start read and compiled. The packages they share with dist/vendor.cjs
// (MikroORM core and knex, zod, tRPC) come from there (a second copy would break instanceof
// checks and MikroORM's metadata), as the server bundle's do (src/build/vendor-imports.ts).
/* eslint-disable @typescript-eslint/no-require-imports -- only ever built to CommonJS, as src/vendor.ts */
import { vendorRegistry } from './vendor-registry';

const registry = vendorRegistry('src/vendor-later.ts', {
  '@mikro-orm/migrations': () => require('@mikro-orm/migrations'),
  '@mikro-orm/postgresql': () => require('@mikro-orm/postgresql'),
  'trpc-to-openapi': () => require('trpc-to-openapi'),
});

/** The packages dist/vendor-later.cjs holds. */
export const LATER_VENDORED_PACKAGES = registry.packages;

export const loadVendored = registry.loadVendored;

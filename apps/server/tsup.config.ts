// Bundles the server and our workspace packages into dist/main.js (ES module), and the third-party
// packages src/vendor.ts names into dist/vendor.cjs (see src/build/vendor-imports.ts); other
// packages (Node's own, ofetch, pg, sqlite3) stay external.
import { defineConfig, type Options } from 'tsup';
import { leaveMissingPackagesToRunTime } from './src/build/missing-packages';
import { importFromVendorBundle, REQUIRE_BANNER, specifierPattern, VENDOR_FILE } from './src/build/vendor-imports';
import { packageDirs, sideEffectFree } from './src/build/side-effect-free';
import { VENDORED_PACKAGES } from './src/vendor';

/**
 * Left out of the vendor bundle, required from node_modules at run time: sqlite3 is a native module
 * (a .node binary found beside its JavaScript), and pg is also imported by packages/db (the
 * migration lock's client), which must get the same instance as knex's PostgreSQL dialect.
 */
export const VENDOR_EXTERNAL = ['sqlite3', 'pg'];

export const serverBuild: Options = {
  entry: { main: 'src/main.ts', index: 'src/index.ts' },
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  // Our workspace packages ship TypeScript source: bundle them. Everything else resolves from node_modules.
  // The vendored packages are listed too: tsup would mark them external before the plugin, which points them at the vendor bundle.
  noExternal: [/^@gpu-shopper\//, specifierPattern(VENDORED_PACKAGES)],
  external: [/^(?!@gpu-shopper\/)[^./]/],
  banner: { js: REQUIRE_BANNER },
  // The agent's entry re-exports its whole server, ours needs one function of it; the simulators run
  // in simulation mode only, and are loaded then (see src/build/side-effect-free.ts).
  esbuildPlugins: [importFromVendorBundle(VENDORED_PACKAGES), sideEffectFree(packageDirs(['@gpu-shopper/agent', '@gpu-shopper/simulators'], import.meta.dirname))],
  // One file per entry: with chunks, esbuild gives a dynamically imported CommonJS package only its
  // default export (`(await import('@mikro-orm/sqlite')).SqliteDriver` was undefined). Modules only
  // reached through import() still run on demand (esbuild wraps them).
  splitting: false,
  sourcemap: true,
  // Everything but the vendor bundle, which the other build writes at the same time.
  clean: [`!${VENDOR_FILE}`],
};

export const vendorBuild: Options = {
  entry: { vendor: 'src/vendor.ts' },
  format: ['cjs'],
  platform: 'node',
  target: 'node20',
  // Everything but VENDOR_EXTERNAL (tsup's noExternal wins over its external).
  noExternal: [new RegExp(`^(?!${specifierPattern(VENDOR_EXTERNAL).source.slice(1, -1)})`)],
  external: VENDOR_EXTERNAL,
  esbuildPlugins: [leaveMissingPackagesToRunTime()],
  // Third-party code only; a map would be several times the bundle's 8 MB.
  sourcemap: false,
  clean: false,
};

export default defineConfig([serverBuild, vendorBuild]);

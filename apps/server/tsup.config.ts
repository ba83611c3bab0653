// Bundles the server and our workspace packages into dist/server.cjs (CommonJS, so that the compile
// cache keeps it compiled; see src/bundle-main.ts), which dist/main.js (the ES entry `npm start`
// runs) requires; dist/index.js is the library entry. The third-party packages src/vendor.ts names
// go into dist/vendor.cjs and those src/vendor-later.ts names into dist/vendor-later.cjs (see
// src/build/vendor-imports.ts); each CommonJS bundle has its hash beside it (src/build/source-hashes.ts).
// Other packages (Node's own, pg, sqlite3) stay external.
import { join } from 'node:path';
import { defineConfig, type Options } from 'tsup';
import { asciiOutput } from './src/build/ascii-output';
import { leaveMissingPackagesToRunTime } from './src/build/missing-packages';
import { takeBuilds } from './src/build/neutral-builds';
import { importFromVendorBundle, LATER_VENDOR_FILE, REQUIRE_BANNER, SERVER_FILE, specifierPattern, VENDOR_FILE, type VendorBundles } from './src/build/vendor-imports';
import { packageDirs, sideEffectFree } from './src/build/side-effect-free';
import { writeSourceHashes } from './src/build/source-hashes';
import { SOURCE_HASH_SUFFIX } from './src/compile-cache';
import { VENDORED_PACKAGES } from './src/vendor';
import { LATER_VENDORED_PACKAGES } from './src/vendor-later';

/**
 * Left out of the vendor bundle, required from node_modules at run time: sqlite3 is a native module
 * (a .node binary found beside its JavaScript), and pg is also imported by packages/db (the
 * migration lock's client), which must get the same instance as knex's PostgreSQL dialect.
 */
export const VENDOR_EXTERNAL = ['sqlite3', 'pg'];

/** Both vendor bundles, by file: where the server bundle takes each package from. */
export const VENDOR_BUNDLES: VendorBundles = { [VENDOR_FILE]: VENDORED_PACKAGES, [LATER_VENDOR_FILE]: LATER_VENDORED_PACKAGES };

/** The ES entries: dist/main.js (src/bundle-main.ts: the compile cache, then dist/server.cjs) and dist/index.js. */
export const serverBuild: Options = {
  entry: { main: 'src/bundle-main.ts', index: 'src/index.ts' },
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  // Our workspace packages ship TypeScript source: bundle them. Everything else resolves from node_modules.
  // The vendored packages are listed too: tsup would mark them external before the plugin, which points them at the vendor bundle.
  noExternal: [/^@gpu-shopper\//, specifierPattern(Object.values(VENDOR_BUNDLES).flat())],
  external: [/^(?!@gpu-shopper\/)[^./]/],
  banner: { js: REQUIRE_BANNER },
  // The agent's entry re-exports its whole server, ours needs one function of it; the simulators run
  // in simulation mode only, and are loaded then (see src/build/side-effect-free.ts).
  esbuildPlugins: [importFromVendorBundle(VENDOR_BUNDLES), sideEffectFree(packageDirs(['@gpu-shopper/agent', '@gpu-shopper/simulators'], import.meta.dirname))],
  // One file per entry: with chunks, esbuild gives a dynamically imported CommonJS package only its
  // default export (`(await import('@mikro-orm/sqlite')).SqliteDriver` was undefined). Modules only
  // reached through import() still run on demand (esbuild wraps them).
  splitting: false,
  sourcemap: true,
  // Everything but the CommonJS bundles, their hashes and maps, which the other builds write at the same time.
  clean: [...Object.keys(VENDOR_BUNDLES), SERVER_FILE].flatMap((file) => [`!${file}`, `!${file}${SOURCE_HASH_SUFFIX}`, `!${file}.map`]),
};

/**
 * dist/server.cjs: the server (src/serve.ts) and our workspace packages, as the ES entries bundle
 * them, but CommonJS: Node 20 keeps no code cache for ES modules, so the ES bundle was parsed again
 * at every start and each function it ran compiled again; a CommonJS file compiles through the
 * compile cache (src/compile-cache.ts), keyed on the hash written beside it.
 */
export const serverCodeBuild: Options = {
  ...serverBuild,
  entry: { server: 'src/serve.ts' },
  format: ['cjs'],
  outExtension: () => ({ js: '.cjs' }),
  // CommonJS has Node's require (no banner); import.meta is ES only: its url, dirname and filename are this file's.
  banner: undefined,
  inject: [join(import.meta.dirname, 'src', 'build', 'import-meta-url.ts')],
  define: { 'import.meta.url': 'importMetaUrl', 'import.meta.dirname': '__dirname', 'import.meta.filename': '__filename' },
  // import() of a package left external (pg) as require(): compiled by the compile cache, a script's
  // own import() goes through an experimental vm feature, which warns on its first use.
  esbuildOptions: (options) => void (options.supported = { ...options.supported, 'dynamic-import': false }),
  // As the vendor bundles: ASCII (one character in a comment made it UTF-8) and its hash beside it.
  plugins: [asciiOutput(/\.cjs$/), writeSourceHashes(/\.cjs$/)],
  clean: false,
};

export const vendorBuild: Options = {
  entry: { vendor: 'src/vendor.ts' },
  format: ['cjs'],
  platform: 'node',
  target: 'node20',
  // Everything but VENDOR_EXTERNAL (tsup's noExternal wins over its external).
  noExternal: [new RegExp(`^(?!${specifierPattern(VENDOR_EXTERNAL).source.slice(1, -1)})`)],
  external: VENDOR_EXTERNAL,
  esbuildPlugins: [takeBuilds(), leaveMissingPackagesToRunTime()],
  // ASCII, so that a start reads it straight into a one-byte string (src/build/ascii-output.ts); the
  // compile cache keys the bundle on its hash instead of hashing it at every start.
  plugins: [asciiOutput(/\.cjs$/), writeSourceHashes(/\.cjs$/)],
  // Third-party code only; a map would be several times the bundle's size.
  sourcemap: false,
  clean: false,
};

/** The later vendor bundle: as the first, but taking the packages the first holds from it. */
export const laterVendorBuild: Options = {
  ...vendorBuild,
  entry: { 'vendor-later': 'src/vendor-later.ts' },
  noExternal: [...(vendorBuild.noExternal ?? []), specifierPattern(VENDORED_PACKAGES)],
  esbuildPlugins: [importFromVendorBundle({ [VENDOR_FILE]: VENDORED_PACKAGES }), leaveMissingPackagesToRunTime()],
};

export default defineConfig([serverBuild, serverCodeBuild, vendorBuild, laterVendorBuild]);

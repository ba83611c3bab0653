// Bundles the server and our workspace packages into dist/; third-party packages stay external.
import { defineConfig } from 'tsup';
import { REQUIRE_BANNER, requireCommonJs, specifierPattern } from './src/build/require-commonjs';
import { packageDirs, sideEffectFree } from './src/build/side-effect-free';

/**
 * Third-party CommonJS packages the bundle loads with require() rather than import (see
 * src/build/require-commonjs.ts: import scans each one's source and re-exports first). Each must
 * stay CommonJS for import (src/build/require-commonjs.test.ts checks the installed versions).
 */
export const REQUIRED_COMMONJS_PACKAGES = ['@mikro-orm/core', '@mikro-orm/knex', '@mikro-orm/sqlite', '@mikro-orm/postgresql', '@mikro-orm/migrations', 'fastify', 'pino', 'toad-scheduler'];

export default defineConfig({
  entry: { main: 'src/main.ts', index: 'src/index.ts' },
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  // Our workspace packages ship TypeScript source: bundle them. Everything else resolves from node_modules.
  // The CommonJS packages are listed too: tsup would mark them external before the plugin, which does it itself.
  noExternal: [/^@gpu-shopper\//, specifierPattern(REQUIRED_COMMONJS_PACKAGES)],
  external: [/^(?!@gpu-shopper\/)[^./]/],
  banner: { js: REQUIRE_BANNER },
  // The agent's entry re-exports its whole server, ours needs one function of it; the simulators run
  // in simulation mode only, and are loaded then (see src/build/side-effect-free.ts).
  esbuildPlugins: [requireCommonJs(REQUIRED_COMMONJS_PACKAGES), sideEffectFree(packageDirs(['@gpu-shopper/agent', '@gpu-shopper/simulators'], import.meta.dirname))],
  // One file per entry: with chunks, esbuild gives a dynamically imported CommonJS package only its
  // default export (`(await import('@mikro-orm/sqlite')).SqliteDriver` was undefined). Modules only
  // reached through import() still run on demand (esbuild wraps them).
  splitting: false,
  sourcemap: true,
  clean: true,
});

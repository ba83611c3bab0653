// Bundles the CLI with our workspace packages (whose exports point at TypeScript source) into
// dist/; other third-party packages stay external (resolved from node_modules at run time), which
// tsup would not do by itself for the server's dependencies since they are not ours. Splitting
// puts the server, loaded only by `serve`, and the SDK with @trpc/client, loaded by the commands
// that call a server, in chunks of their own.
import { defineConfig } from 'tsup';

/** What every start runs: in the bundle, one file to read rather than dozens of modules to resolve and load. */
const STARTUP_PACKAGES = ['clipanion', 'typanion'];

export default defineConfig({
  entry: { main: 'src/main.ts', index: 'src/index.ts' },
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  noExternal: [/^@gpu-shopper\//, ...STARTUP_PACKAGES.map((name) => new RegExp(`^${name}(/|$)`))],
  // Any bare specifier that is not a workspace or a startup package: relative and absolute paths are bundled.
  external: [new RegExp(`^(?![./]|@gpu-shopper/|(${STARTUP_PACKAGES.join('|')})(/|$))`)],
  // Clipanion is CommonJS and requires Node's built-ins ("tty"): esbuild's ESM output needs a `require` for that.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  // The SDK's exports name its build for outside users; here, its source (as for every workspace package).
  esbuildOptions(options) {
    options.conditions = ['@gpu-shopper/source'];
  },
  splitting: true,
  sourcemap: true,
  clean: true,
});

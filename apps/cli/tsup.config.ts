// Bundles the CLI with our workspace packages (whose exports point at TypeScript source) into
// dist/; every third-party package stays external (resolved from node_modules at run time), which
// tsup would not do by itself for the server's dependencies since they are not ours. Splitting
// puts the server, loaded only by `serve`, in a chunk of its own.
import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { main: 'src/main.ts', index: 'src/index.ts' },
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  noExternal: [/^@gpu-shopper\//],
  // Any bare specifier that is not a workspace package: relative and absolute paths are bundled.
  external: [/^(?![./]|@gpu-shopper\/)/],
  // The SDK's exports name its build for outside users; here, its source (as for every workspace package).
  esbuildOptions(options) {
    options.conditions = ['@gpu-shopper/source'];
  },
  splitting: true,
  sourcemap: true,
  clean: true,
});

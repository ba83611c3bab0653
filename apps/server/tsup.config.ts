// Bundles the server and our workspace packages into dist/; third-party packages stay external.
import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { main: 'src/main.ts', index: 'src/index.ts' },
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  // Our workspace packages ship TypeScript source: bundle them. Everything else resolves from node_modules.
  noExternal: [/^@gpu-shopper\//],
  external: [/^(?!@gpu-shopper\/)[^./]/],
  splitting: true,
  sourcemap: true,
  clean: true,
});

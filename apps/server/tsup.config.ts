// Bundles the server and our workspace packages into dist/; third-party packages stay external.
import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { main: 'src/main.ts', index: 'src/index.ts' },
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  noExternal: [/^@gpu-shopper\//],
  splitting: true,
  sourcemap: true,
  clean: true,
});

// Bundles the agent into one file (dist/agent.js) with all its dependencies, so the node needs
// nothing but Node 20 and this file.
import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { agent: 'src/main.ts' },
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  outDir: 'dist',
  clean: true,
  splitting: false,
  sourcemap: false,
  minify: false,
  noExternal: [/.*/],
  // Some bundled dependencies are CommonJS and call require() for Node built-ins.
  banner: { js: "import { createRequire as __agentCreateRequire } from 'node:module'; const require = __agentCreateRequire(import.meta.url);" },
});

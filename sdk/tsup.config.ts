// Builds the published package: one ES module (dist/index.js) and one declaration file
// (dist/index.d.ts) whose router type is printed in full, so neither needs the server. Only
// @trpc/client (and @trpc/server's types) stay external.
import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm'],
  platform: 'neutral',
  target: 'es2022',
  outDir: 'dist',
  clean: true,
  splitting: false,
  sourcemap: false,
  // The root typecheck checks this source; the declaration build only prints it, which spares it
  // checking the whole server it reads the router from.
  dts: { compilerOptions: { noCheck: true } },
});

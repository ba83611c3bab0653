// The console's build: a static single-page app under /console/, which the server serves from dist/.
// The SDK is bundled from its source (as everywhere in the repository), so no SDK build is needed.
import { defineConfig, defaultClientConditions } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  base: '/console/',
  plugins: [react()],
  resolve: { conditions: ['@gpu-shopper/source', ...defaultClientConditions] },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The charts' library is most of the weight; one bundle keeps the page to a few requests.
    chunkSizeWarningLimit: 1024,
  },
  // `npm run dev -w @gpu-shopper/console`: the API of a server on :8080 (`npm start`) behind Vite's dev server.
  server: { proxy: { '/trpc': 'http://127.0.0.1:8080' } },
});

// The server from source (tsx: the chaos harness, development): the compile cache first, then the
// server (serve.ts), loaded after it so that the CommonJS packages it brings compile through the
// cache (see compile-cache.ts). `npm start` runs the build's entry instead, src/bundle-main.ts.
import { fileURLToPath } from 'node:url';
import { installCompileCache } from './compile-cache';
import { LATER_VENDOR_FILE, VENDOR_FILE } from './build/vendor-imports';

installCompileCache(undefined, undefined, { files: [VENDOR_FILE, LATER_VENDOR_FILE].map((file) => fileURLToPath(new URL(`./${file}`, import.meta.url))) });
await import('./serve');

// `npm start` (dist/main.js, built from this file by tsup.config.ts): the compile cache first, then
// the server, dist/server.cjs (src/serve.ts and everything it imports, built to CommonJS), so that it
// compiles through the cache with the vendor bundles it requires (see compile-cache.ts). Node 20 has
// no code cache for ES modules: as the ES bundle it was, the server's 0.8 MB were parsed at every
// start, and each function it ran compiled again (some 50 ms of CPU before ready). From source
// (tsx), src/main.ts starts the server instead.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { installCompileCache } from './compile-cache';
import { LATER_VENDOR_FILE, SERVER_FILE, VENDOR_FILE } from './build/vendor-imports';

const beside = (file: string) => fileURLToPath(new URL(`./${file}`, import.meta.url));

installCompileCache(undefined, undefined, { files: [SERVER_FILE, VENDOR_FILE, LATER_VENDOR_FILE].map(beside) });
createRequire(import.meta.url)(beside(SERVER_FILE));

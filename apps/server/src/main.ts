// `npm start`: the compile cache first, then the server (serve.ts), loaded after it so that the
// CommonJS packages it brings (the vendor bundle beside this file, see vendor.ts) compile through
// the cache (see compile-cache.ts).
import { fileURLToPath } from 'node:url';
import { installCompileCache } from './compile-cache';
import { VENDOR_FILE } from './build/vendor-imports';

installCompileCache(undefined, undefined, { files: [fileURLToPath(new URL(`./${VENDOR_FILE}`, import.meta.url))] });
await import('./serve');

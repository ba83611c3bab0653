// `npm start`: the compile cache first, then the server (serve.ts), loaded after it so that the
// CommonJS packages it brings compile through the cache (see compile-cache.ts).
import { installCompileCache } from './compile-cache';

installCompileCache();
await import('./serve');

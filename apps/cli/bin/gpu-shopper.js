#!/usr/bin/env node
// The installed gpu-shopper command: the bundle built by `npm run build -w @gpu-shopper/cli`
// (`npm start` builds it too). Without a build it says how to make one instead of a stack trace.
import { existsSync } from 'node:fs';
import module from 'node:module';

// Node 22.1 and later keep V8's compiled code of the bundle on disk between runs; older ones lack it.
module.enableCompileCache?.();

const bundle = new URL('../dist/main.js', import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write('gpu-shopper: the CLI is not built yet; run "npm run build" (or "npm start") in the repository first\n');
  process.exit(1);
}
await import(bundle.href);

// V8 settings for a process that serves HTTP, applied by startServer once the server is ready,
// before its first request. Not earlier: V8 refuses code-cache data made under other flags, so a
// flag set at the start made Node compile its own modules from source (its built-in code cache is
// made with the default flags): the start to /readyz went from 0.59 to 0.68 s. The compile cache
// of this process (compile-cache.ts), if one is installed, writes what it compiled first, while
// the flags are still those the next start will read it under.
//
// Allocation-site pretenuring off. V8 watches how many objects from each allocation site survive a
// young-generation collection; past 85% it allocates that site's objects straight in the old
// generation, for good. A burst of requests while the code is still cold (the load balancer's
// first requests, 16 connections at once) is enough: every request and response object is alive
// at the first small collections, so V8 pretenures Node's HTTP objects, which then die in the old
// generation at every request, for the life of the process. Measured on GET /api/v1/inventory
// (the inventory bench's process): 2.2 KB per request went to the old generation, each scavenge
// took 4-8 ms instead of 1, and the process served 23,000-27,000 requests in 4 s where the same
// process warmed up gently served 28,000-30,000. Without pretenuring, short-lived objects die young
// whatever the start was like; the few large structures that do live long (a fetched menu, a page
// of sessions) are copied once.
import { setFlagsFromString } from 'node:v8';
import { installedCompileCache } from './compile-cache';

let applied = false;

export function tuneV8ForServing(): void {
  if (applied) return;
  applied = true;
  installedCompileCache()?.save();
  // V8 reads it when it digests the feedback at each collection: sites made before this call are
  // never judged either.
  setFlagsFromString('--no-allocation-site-pretenuring');
}

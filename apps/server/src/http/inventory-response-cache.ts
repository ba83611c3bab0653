// A micro-cache for the hottest read, the inventory search (REST and tRPC GET). The menu only
// changes when a provider's offers are refetched, so a successful answer is kept, byte for byte,
// until then — keyed by the exact URL — and served to any caller whose key was verified moments
// ago. Everything else (a new key, a refresh due, an error) goes the normal way.
import type { FastifyInstance } from 'fastify';
import { callerLogName, requestInfoFromHeaders, type ApiDeps } from '@gpu-shopper/api';
import { annotateLogContext } from '@gpu-shopper/services';

const MAX_ENTRIES = 512;

type CacheableRequest = { inventoryCache?: { url: string; version: string | null } };

/** A successful answer, byte for byte, and the content type it was sent with. */
export interface CachedAnswer {
  body: Buffer;
  contentType: string;
}

/** Answers by URL, each valid while the menu's version is the one it was made from. */
export class InventoryResponseCache {
  private readonly entries = new Map<string, CachedAnswer & { version: string }>();

  /** The answer kept for `url`, if it was made from the menu `version` (null: nothing is current). */
  lookup(url: string, version: string | null): CachedAnswer | undefined {
    const entry = version === null ? undefined : this.entries.get(url);
    return entry?.version === version ? entry : undefined;
  }

  store(url: string, version: string, answer: CachedAnswer): void {
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(url, { ...answer, version });
  }
}

/** The cache as Fastify hooks, for the `paths` given (the inventory fast path also reads and fills it). */
export function registerInventoryResponseCache(app: FastifyInstance, deps: ApiDeps, paths: readonly string[], cache: InventoryResponseCache): void {
  const isCacheable = (method: string, url: string) => {
    if (method !== 'GET') return false;
    const queryAt = url.indexOf('?');
    return paths.includes(queryAt < 0 ? url : url.slice(0, queryAt));
  };

  app.addHook('onRequest', async (request, reply) => {
    if (!isCacheable(request.method, request.url)) return;
    const version = deps.inventory.servingVersion();
    // Remembered for onSend (the REST adapter rewrites request.url on the way): an answer is
    // stored only if the menu did not change while it was made.
    (request as CacheableRequest).inventoryCache = { url: request.url, version };
    const entry = cache.lookup(request.url, version);
    if (entry === undefined) return;
    const caller = deps.callerCache.lookup(requestInfoFromHeaders(request.headers).apiKey);
    if (caller === null) return;
    annotateLogContext({ consumer: callerLogName(caller) });
    return reply.type(entry.contentType).header('x-inventory-cache', 'hit').send(entry.body);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const pending = (request as CacheableRequest).inventoryCache;
    if (pending === undefined || pending.version === null || reply.statusCode !== 200) return payload;
    if (reply.getHeader('x-inventory-cache') === 'hit' || deps.inventory.servingVersion() !== pending.version) return payload;
    // tRPC answers with a fetch Response, the REST adapter with a string, the fast path with bytes. A menu is small: read it whole.
    const body = Buffer.isBuffer(payload) ? payload : typeof payload === 'string' ? Buffer.from(payload) : payload instanceof Response ? Buffer.from(await payload.arrayBuffer()) : null;
    if (body === null) return payload;
    // A hit carries the content type the answer had (charset included), not one of its own.
    const answered = reply.getHeader('content-type') ?? (payload instanceof Response ? payload.headers.get('content-type') : null);
    const contentType = typeof answered === 'string' ? answered : 'application/json';
    reply.type(contentType);
    cache.store(pending.url, pending.version, { body, contentType });
    return body;
  });
}

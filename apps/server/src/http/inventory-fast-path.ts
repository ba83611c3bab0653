// GET /api/v1/inventory, the hottest read, answered without trpc-to-openapi's per-request work (a
// fetch Request and AbortController per call, the URL parsed again, the schema's coercion re-marked,
// a context built, 50 offers re-validated and re-serialized): the query is validated with a schema
// coerced once, and the menu's JSON is copied together from each offer's bytes kept since it was
// fetched (sent as bytes: a string of some 20 KB would be measured and encoded again per response).
//
// It is a preHandler hook on the generic REST route, not a route of its own, so everything before
// it runs unchanged: the request log, draining, rate limits, the response cache, authentication and
// the unknown-parameter guard. What it is not sure of — input the procedure would refuse, a caller
// the cache has not just verified, any error — it leaves to the generic route, which answers (the
// 400 naming the field, the 401, the 500) exactly as it always did.
import type { FastifyInstance } from 'fastify';
import { callerLogName, requestInfoFromHeaders, restSearchFilter, type ApiDeps } from '@gpu-shopper/api';
import { annotateLogContext } from '@gpu-shopper/services';

export function registerInventoryFastPath(app: FastifyInstance, deps: ApiDeps, path: string): void {
  app.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'GET' || !isPath(request.url, path)) return;
    const filter = restSearchFilter(request.query as Record<string, string | string[] | undefined>);
    if (filter === null) return;
    const caller = deps.callerCache.lookup(requestInfoFromHeaders(request.headers).apiKey);
    if (caller === null) return;
    annotateLogContext({ consumer: callerLogName(caller) });
    let body: Buffer;
    try {
      body = await deps.inventory.searchJson(filter);
    } catch {
      return;
    }
    return reply.code(200).header('content-type', 'application/json; charset=utf-8').send(body);
  });
}

/** `url` is `path`, with or without a query string (any other spelling goes the generic way). */
function isPath(url: string, path: string): boolean {
  return url.startsWith(path) && (url.length === path.length || url[path.length] === '?');
}

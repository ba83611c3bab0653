// GET /api/v1/inventory, the hottest read, answered in front of Fastify: the HTTP server hands each
// request to this first (Fastify's `serverFactory`, see build-server.ts), and only what it declines
// reaches Fastify. Fastify's per-request machinery (a request and reply object, a dozen hooks, most
// of them promises that Node 20's AsyncLocalStorage then tracks) cost more than the search itself;
// trpc-to-openapi's (a fetch Request, the URL parsed again, 50 offers re-validated and re-serialized)
// more again. Here: no promise, the query parsed once with Fastify's own parser, the menu's JSON
// copied together from each offer's bytes kept since it was fetched.
//
// It answers only what it is sure of, exactly as the hooks and the generic route would — a caller
// whose key was verified moments ago, a query the procedure accepts, a menu with no fetch due, a
// request the rate limits admit — and does what they do: the request id, the rate limit's tokens,
// the response micro-cache (read and filled), the access line. Anything else (draining, a new key,
// an unknown parameter, a refresh due, an error, a 429) it leaves to Fastify, which answers it as
// it always did. inventory-fast-path.test.ts holds the two answers equal, byte for byte.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import proxyAddr from '@fastify/proxy-addr';
import { parse as parseQueryString } from 'fast-querystring';
import { callerLogName, requestInfoFromHeaders, restSearchFilter, type ApiDeps } from '@gpu-shopper/api';
import { joinJson, type MenuJson } from '@gpu-shopper/services';
import type { Logger } from '../logger';
import type { Readiness } from '../readiness';
import type { InventoryResponseCache } from './inventory-response-cache';
import type { RateLimiter } from './rate-limit';
import { accessDurationMs, REQUEST_ID_HEADER, requestIdFor, type AccessLine } from './request-log';

const CONTENT_TYPE = 'application/json; charset=utf-8';

export interface InventoryFastPathOptions {
  deps: ApiDeps;
  /** The REST path it answers, `/api/v1/inventory`. */
  path: string;
  logger: Logger;
  readiness: Readiness;
  /** The same limiter Fastify's hooks use; null when rate limiting is off. */
  limiter: RateLimiter | null;
  /** The same cache Fastify's hooks use. */
  cache: InventoryResponseCache;
  /** Proxies trusted for X-Forwarded-For, as given to Fastify (its request.ip, computed alike). */
  trustProxy: readonly string[];
}

/** A request handler that answers and returns true, or returns false having written nothing. */
export type FrontHandler = (request: IncomingMessage, response: ServerResponse) => boolean;

/** Parses a query string as Fastify's router does (find-my-way: an empty string is no parameter). */
export function parseQuery(query: string): Record<string, string | string[]> {
  return query.length === 0 ? {} : (parseQueryString(query) as Record<string, string | string[]>);
}

export function inventoryFastPath(options: InventoryFastPathOptions): FrontHandler {
  const { deps, path, logger, readiness, limiter, cache } = options;
  const trusted = options.trustProxy.length > 0 ? proxyAddr.compile([...options.trustProxy]) : null;
  const clientAddress = (request: IncomingMessage) => (trusted === null ? (request.socket.remoteAddress ?? '') : proxyAddr(request, trusted));

  return (request, response) => {
    const url = request.url ?? '';
    if (request.method !== 'GET' || !isPath(url, path) || readiness.isDraining) return false;
    // A GET with a body is unusual enough to leave to Fastify's rules for it.
    if (request.headers['content-length'] !== undefined || request.headers['transfer-encoding'] !== undefined) return false;
    const startedAt = performance.now();
    const apiKey = requestInfoFromHeaders(request.headers).apiKey;
    const caller = deps.callerCache.lookup(apiKey);
    if (caller === null) return false;

    const version = deps.inventory.servingVersion();
    const kept = cache.lookup(url, version);
    let answer: MenuJson;
    if (kept !== undefined) {
      answer = { parts: [kept.body], length: kept.body.length };
    } else {
      const filter = restSearchFilter(parseQuery(url.slice(path.length + 1)));
      if (filter === null) return false;
      let json: MenuJson | null;
      try {
        json = deps.inventory.searchJsonNow(filter);
      } catch {
        return false; // an offer the API cannot describe: the generic route answers the 500 (and logs it)
      }
      if (json === null) return false;
      answer = json;
      // Kept for the next asker in one buffer of its own (the pieces are views into the menu's layout).
      if (version !== null) {
        const body = joinJson(json);
        cache.store(url, version, { body, contentType: CONTENT_TYPE });
        answer = { parts: [body], length: body.length };
      }
    }
    // Last: the tokens are taken only for a request answered here (a refusal takes none, and
    // Fastify's hook then refuses the same request with the 429).
    if (limiter !== null && limiter.admit('api', clientAddress(request), apiKey) !== null) return false;

    const requestId = requestIdFor(request.headers[REQUEST_ID_HEADER]);
    const headers = [REQUEST_ID_HEADER, requestId, 'content-type', kept?.contentType ?? CONTENT_TYPE, 'content-length', String(answer.length)];
    if (kept !== undefined) headers.push('x-inventory-cache', 'hit');
    response.writeHead(200, headers);
    const consumer = callerLogName(caller);
    // As Fastify's onResponse: logged once the answer is handed over, timed until then.
    response.once('finish', () => {
      const line: AccessLine = { reqId: requestId, method: 'GET', route: path, status: 200, durationMs: accessDurationMs(performance.now() - startedAt), consumer };
      logger.info('request', line);
    });
    send(response, answer.parts);
    return true;
  };
}

/** The pieces in one write to the socket (corked: the headers and every piece in one writev, nothing copied). */
function send(response: ServerResponse, parts: readonly Buffer[]): void {
  const last = parts.length - 1;
  if (last === 0) {
    response.end(parts[0]);
    return;
  }
  response.cork();
  for (let index = 0; index < last; index += 1) response.write(parts[index]);
  response.end(parts[last]);
  response.uncork();
}

/** `url` is `path`, with or without a query string (any other spelling goes the generic way). */
function isPath(url: string, path: string): boolean {
  return url.startsWith(path) && (url.length === path.length || url[path.length] === '?');
}

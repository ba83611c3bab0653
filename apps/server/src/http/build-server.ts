// The HTTP surface: tRPC at /trpc, REST at /api/v1 (with its OpenAPI document), /docs, /console,
// /node/agent.js (the agent bundle nodes download), /healthz
// (liveness) and /readyz (readiness). The two probes are plain routes outside the OpenAPI document.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { fastifyTRPCPlugin } from '@trpc/server/adapters/fastify';
import { appRouter, createInnerContext, openApiDocument, REST_BASE_PATH, REST_SUCCESS_STATUS, requestInfoFromHeaders, type ApiDeps, type AppRouter } from '@gpu-shopper/api';
import type { Logger } from '../logger';
import { Readiness } from '../readiness';
import { registerAgentBundle, type AgentBundle } from './agent-bundle';
import { registerConsole } from './console-assets';
import { registerDocs } from './docs';
import { registerMetrics } from './metrics';
import { InventoryResponseCache, registerInventoryResponseCache } from './inventory-response-cache';
import { inventoryFastPath, parseQuery, type FrontHandler } from './inventory-fast-path';
import { registerLazyRestApi } from './lazy-rest-api';
import { lazySchemaCompilers } from './lazy-schema-compilers';
import { answerFrameworkError, registerRestInputGuard, restErrorBody, type RestOperation } from './rest-input-guard';
import { registerRequestLog, REQUEST_ID_HEADER, requestIdFor, type RouteInfo } from './request-log';
import { DEFAULT_RATE_LIMITS, RateLimiter, registerRateLimits, type RateLimitConfig } from './rate-limit';

const PROBES = new Set(['/healthz', '/readyz']);

export interface HttpOptions {
  /** Default DEFAULT_RATE_LIMITS; null turns rate limiting off. */
  rateLimits?: RateLimitConfig | null;
  /** Proxies whose X-Forwarded-For gives the client address (see ServerConfig.trustProxy). */
  trustProxy?: string[];
  /** Default true: GET /api/v1/inventory is answered in front of Fastify when it can be (inventory-fast-path.ts); tests compare both. */
  inventoryFastPath?: boolean;
  /** The operator console's build, served at /console (default: apps/console/dist). */
  consoleDir?: string;
  /** The agent bundle nodes download (GET /node/agent.js), read on first use; none: not served. */
  agentBundle?: () => AgentBundle | null;
}

/** `readiness` defaults to one that is already ready (an app built on its own, as in tests). */
export function buildHttpServer(deps: ApiDeps, logger: Logger, readiness: Readiness = readyAlready(), http: HttpOptions = {}): FastifyInstance {
  const rateLimits = http.rateLimits === undefined ? DEFAULT_RATE_LIMITS : http.rateLimits;
  const limiter = rateLimits === null ? null : new RateLimiter({ limits: rateLimits, clock: deps.clock, isRecentlyVerified: (apiKey) => deps.callerCache.lookup(apiKey) !== null });
  const inventoryCache = new InventoryResponseCache();
  const trustProxy = http.trustProxy ?? [];
  const inventoryPath = `${REST_BASE_PATH}/inventory`;
  const front = http.inventoryFastPath === false ? null : inventoryFastPath({ deps, path: inventoryPath, logger, readiness, limiter, cache: inventoryCache, trustProxy });
  // Fastify's own answer to requests that arrive on a kept-alive connection while it closes is a
  // bare 503; ours below keeps the API's error shape and lets the probes answer truthfully.
  const app = Fastify({
    ...(front === null ? {} : { serverFactory: (handler: FastifyHandler, options: FastifyServerOptions) => frontedServer(front, handler, options) }),
    // Fastify logs through the server's pino instance; its own per-request lines are off (ours below
    // carry the route template, the consumer and the session), and request.log is that instance
    // itself, so the log context (not a child binding) gives its lines their request id.
    ...(logger.pino === undefined ? { logger: false } : { loggerInstance: logger.pino as FastifyBaseLogger, childLoggerFactory: (parent) => parent, logController: new LogController({ disableRequestLogging: true }) }),
    requestIdHeader: false,
    genReqId: (request) => requestIdFor(request.headers[REQUEST_ID_HEADER]),
    bodyLimit: 1024 * 1024,
    // The fast path parses queries with the same function (find-my-way's own default, made ours).
    routerOptions: { maxParamLength: 500, querystringParser: parseQuery },
    return503OnClosing: false,
    trustProxy: trustProxy.length > 0 ? trustProxy : false,
    frameworkErrors: answerFrameworkError,
    schemaController: { compilersFactory: lazySchemaCompilers },
  });
  const createContext = ({ req }: { req: { headers: Record<string, string | string[] | undefined> } }) => createInnerContext(deps, requestInfoFromHeaders(req.headers));
  const onError = ({ error, path }: { error: { code: string; message: string; cause?: unknown }; path?: string }) => {
    if (error.code === 'INTERNAL_SERVER_ERROR') logger.error(`${path ?? '?'}: ${error.cause instanceof Error ? (error.cause.stack ?? error.cause.message) : error.message}`, { procedure: path ?? null });
  };
  // First, so every hook after it and every handler run in the request's log context.
  let restOperationOf: (request: FastifyRequest) => RestOperation | undefined = () => undefined;
  // The response cache answers before the input guard has matched the operation: its path is the template.
  registerRequestLog(app, logger, (request, path) => restRoute(restOperationOf(request), path) ?? (path === inventoryPath ? { route: inventoryPath } : undefined));

  // While draining, new requests (on connections opened before the listener closed) are turned away
  // so the client retries on another replica; requests already running finish.
  app.addHook('onRequest', async (request, reply) => {
    if (!readiness.isDraining || PROBES.has(request.url.split('?', 1)[0]!)) return;
    return reply.code(503).header('connection', 'close').send(restErrorBody(503, 'the server is shutting down; retry on another instance'));
  });
  // Before the inventory cache, which answers from memory: a cached answer is still a request.
  if (limiter !== null) registerRateLimits(app, limiter);
  registerInventoryResponseCache(app, deps, [inventoryPath, '/trpc/inventory.search'], inventoryCache);
  // Authentication first, then JSON depth, unknown fields and query parameters, before trpc-to-openapi.
  // The OpenAPI document (tens of ms to generate, and its generator to load) is built on first use, not at start: see rest-input-guard.ts.
  restOperationOf = registerRestInputGuard(app, deps, openApiDocument, REST_BASE_PATH);
  app.get('/healthz', () => ({ status: 'ok' }));
  // 503 until the database is migrated, crash recovery is done and provisioning is on; 503 again once shutdown begins.
  app.get('/readyz', (_request, reply) => {
    const report = readiness.report();
    return reply.code(report.status === 'ready' ? 200 : 503).header('cache-control', 'no-store').send(report);
  });
  registerMetrics(app, deps);
  let documentJson: string | undefined;
  app.get(`${REST_BASE_PATH}/openapi.json`, async (_request, reply) => reply.type('application/json').send((documentJson ??= JSON.stringify(await openApiDocument()))));
  registerDocs(app, `${REST_BASE_PATH}/openapi.json`);
  registerConsole(app, { dir: http.consoleDir });
  if (http.agentBundle !== undefined) registerAgentBundle(app, http.agentBundle);

  void app.register(fastifyTRPCPlugin, { prefix: '/trpc', trpcOptions: { router: appRouter, createContext, onError } });
  registerLazyRestApi<AppRouter>(app, {
    basePath: REST_BASE_PATH,
    router: appRouter,
    createContext,
    onError,
    // Provisioning answers at once, before the node is ready: 202 Accepted (and so documented).
    responseMeta: ({ paths, errors }) => {
      const status = errors.length === 0 && paths?.length === 1 ? REST_SUCCESS_STATUS[paths[0]!] : undefined;
      return status === undefined ? {} : { status };
    },
  });

  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) logger.error(`unhandled: ${error.message}`);
    return reply.code(status).send(restErrorBody(status, status === 500 ? 'internal error' : error.message));
  });
  return app;
}

/** A REST operation's template, and the session its URL names (`/sessions/{id}...`). */
function restRoute(operation: RestOperation | undefined, path: string): RouteInfo | undefined {
  if (operation === undefined) return undefined;
  const route = `${REST_BASE_PATH}${operation.path}`;
  if (!operation.path.startsWith('/sessions/{id}')) return { route };
  const segment = path.slice(REST_BASE_PATH.length).split('/')[2];
  return segment === undefined || segment === '' ? { route } : { route, sessionId: decodeURIComponent(segment).slice(0, 64) };
}

type FastifyHandler = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * The HTTP server Fastify would make (lib/server.js: its timeouts and limits), with `front` asked
 * first: what it answers never reaches Fastify. Fastify calls this for each address it listens on.
 */
function frontedServer(front: FrontHandler, handler: FastifyHandler, options: FastifyServerOptions): Server {
  // Fastify is given no `http` options of ours: the server is made as it would make it, with none.
  const server = createServer((request, response) => {
    let answered: boolean;
    try {
      answered = front(request, response);
    } catch (error) {
      // Never a crash for one request: what the front did not start answering, Fastify answers (its
      // error handling included); an answer cut off half-way is ended as such.
      answered = response.headersSent;
      if (answered) response.destroy(error instanceof Error ? error : undefined);
    }
    if (!answered) handler(request, response);
  });
  server.keepAliveTimeout = options.keepAliveTimeout!;
  server.requestTimeout = options.requestTimeout!;
  server.setTimeout(options.connectionTimeout!);
  if ((options.maxRequestsPerSocket ?? 0) > 0) server.maxRequestsPerSocket = options.maxRequestsPerSocket!;
  return server;
}

function readyAlready(): Readiness {
  const readiness = new Readiness();
  readiness.advance('ready');
  return readiness;
}

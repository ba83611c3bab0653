// The agent's HTTP server: tRPC at /node/trpc, the REST facade and raw streaming routes under
// /node/v1, one bearer check for everything but /node/v1/healthz, and one JSON error shape: the
// shopper API's (errors.ts), but OpenAI's envelope on the OpenAI-compatible pass-through.
import type { IncomingHttpHeaders } from 'node:http';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { fastifyTRPCPlugin } from '@trpc/server/adapters/fastify';
import { TRPC_ERROR_CODES_BY_KEY, type TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import { fastifyTRPCOpenApiPlugin } from 'trpc-to-openapi';
import { isAuthorized } from '../auth/bearer';
import { createHttpContext } from '../context';
import { errorBodyFor, httpErrorFor, OPENAI_PASSTHROUGH_PREFIX, restErrorBody, type RestErrorBody } from '../errors';
import { registerDownloadRoute } from '../files/download-route';
import { registerUploadRoute } from '../files/upload-route';
import { registerOpenAiPassthrough } from '../llm/openai-passthrough';
import { registerLogFollowRoute } from '../ml/log-follow-route';
import { agentRouter } from '../router';
import type { AgentRuntime } from '../runtime';
import { registerJsonBodyParser } from './json-body';
import { createOpenApiDocument } from './openapi';

export const AGENT_VERSION = '0.1.0';
const HEALTHZ_PATH = '/node/v1/healthz';
/** Still answered while draining, so the shopper can watch the shutdown. */
const ALLOWED_WHILE_DRAINING = new Set([HEALTHZ_PATH, '/node/v1/status', '/node/trpc/status.get']);

const FASTIFY_ERROR_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_SUPPORTED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

const pathOf = (url: string) => url.split('?')[0] ?? url;

/** An error for a request to `path` outside tRPC's own handling, in the envelope its client reads. */
function errorFor(path: string, httpStatus: number, code: TRPC_ERROR_CODE_KEY, message: string): object {
  if (!path.startsWith('/node/trpc/')) return errorBodyFor(path, httpStatus, code, message);
  return { error: { message, code: TRPC_ERROR_CODES_BY_KEY[code], data: restErrorBody(httpStatus, code, message).data, error: { code, message } } };
}

export function createServer(runtime: AgentRuntime): FastifyInstance {
  // Parameters as long as a URL can be (Node refuses headers past 16 KiB): an over-long download
  // path reaches the workspace path check and gets its 400, not a bare 404.
  const app = Fastify({ logger: false, bodyLimit: 10 * 1024 * 1024, routerOptions: { maxParamLength: 16 * 1024 } });

  registerJsonBodyParser(app);

  app.addHook('onRequest', async (request, reply) => {
    const path = pathOf(request.url);
    if (path !== HEALTHZ_PATH && !isAuthorized(request.headers.authorization, runtime.config.nodeToken)) {
      // tRPC clients expect their own error envelope (the one our error formatter produces).
      return reply.code(401).header('www-authenticate', 'Bearer').send(errorFor(path, 401, 'UNAUTHORIZED', 'Missing or invalid bearer token'));
    }
    if (runtime.shutdownState !== 'running' && !ALLOWED_WHILE_DRAINING.has(path)) {
      return reply.code(503).send(errorFor(path, 503, 'SERVICE_UNAVAILABLE', 'The node is shutting down'));
    }
  });

  // trpc-to-openapi answers errors as { ...errorShape, message, code, issues }, its message a generic
  // one for invalid input; keep our one shape, with the formatter's message (which names the field).
  // (It rewrites request.url, hence the route's own url.)
  app.addHook('onSend', async (request, reply, payload) => {
    const route = request.routeOptions.url ?? '';
    if (reply.statusCode < 400 || typeof payload !== 'string' || !route.startsWith('/node/v1/') || route.startsWith(OPENAI_PASSTHROUGH_PREFIX)) return payload;
    try {
      const body = JSON.parse(payload) as { error?: { message?: unknown }; data?: Partial<RestErrorBody['data']> };
      const { error, data } = body;
      if (typeof error?.message !== 'string' || typeof data?.code !== 'string' || typeof data.httpStatus !== 'number') return payload;
      return JSON.stringify(restErrorBody(data.httpStatus, data.code, error.message, data.field ?? null, data.fieldErrors ?? null));
    } catch {
      return payload;
    }
  });

  app.setErrorHandler((error, request, reply) => {
    const path = pathOf(request.originalUrl);
    const statusCode = (error as { statusCode?: number }).statusCode;
    if (statusCode && statusCode >= 400 && statusCode < 500 && FASTIFY_ERROR_CODES[statusCode] && (error as { code?: string }).code?.startsWith('FST_')) {
      return reply.code(statusCode).send(errorBodyFor(path, statusCode, FASTIFY_ERROR_CODES[statusCode], error instanceof Error ? error.message : 'Bad request'));
    }
    const mapped = httpErrorFor(error);
    if (mapped.statusCode >= 500 && mapped.code === 'INTERNAL_SERVER_ERROR') {
      runtime.deps.logger.error('request failed', { error: error instanceof Error ? error.message : String(error) });
    }
    return reply.code(mapped.statusCode).send(errorBodyFor(path, mapped.statusCode, mapped.code, mapped.message, mapped.field ?? null));
  });

  app.setNotFoundHandler((request, reply) => reply.code(404).send(errorBodyFor(pathOf(request.url), 404, 'NOT_FOUND', `No route ${request.method} ${pathOf(request.url)}`)));

  app.get(HEALTHZ_PATH, async (_request, reply) => {
    const ready = runtime.ready;
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ok' : runtime.shutdownState === 'running' ? 'starting' : 'draining', ready });
  });

  let openApiDocument: unknown = null;
  app.get('/node/v1/openapi.json', async () => (openApiDocument ??= createOpenApiDocument(AGENT_VERSION)));

  registerUploadRoute(app, runtime);
  registerDownloadRoute(app, runtime);
  registerOpenAiPassthrough(app, runtime);
  registerLogFollowRoute(app, runtime);

  void app.register(fastifyTRPCPlugin, {
    prefix: '/node/trpc',
    trpcOptions: { router: agentRouter, createContext: ({ req }: { req: { headers: IncomingHttpHeaders } }) => createHttpContext(runtime, req.headers) },
  });
  void app.register(async (scope) => {
    fastifyTRPCOpenApiPlugin(
      scope,
      {
        basePath: '/node/v1',
        router: agentRouter,
        createContext: ({ req }: { req: { headers: IncomingHttpHeaders } }) => createHttpContext(runtime, req.headers),
      },
      () => {},
    );
  });

  return app;
}

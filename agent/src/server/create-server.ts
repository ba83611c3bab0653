// The agent's HTTP server: tRPC at /node/trpc, the REST facade and raw streaming routes under
// /node/v1, one bearer check for everything but /node/v1/healthz, and one JSON error shape.
import type { IncomingHttpHeaders } from 'node:http';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { fastifyTRPCPlugin } from '@trpc/server/adapters/fastify';
import { fastifyTRPCOpenApiPlugin } from 'trpc-to-openapi';
import { isAuthorized } from '../auth/bearer';
import { createHttpContext } from '../context';
import { httpErrorFor } from '../errors';
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

export function createServer(runtime: AgentRuntime): FastifyInstance {
  // Parameters as long as a URL can be (Node refuses headers past 16 KiB): an over-long download
  // path reaches the workspace path check and gets its 400, not a bare 404.
  const app = Fastify({ logger: false, bodyLimit: 10 * 1024 * 1024, routerOptions: { maxParamLength: 16 * 1024 } });

  registerJsonBodyParser(app);

  app.addHook('onRequest', async (request, reply) => {
    const path = pathOf(request.url);
    if (path !== HEALTHZ_PATH && !isAuthorized(request.headers.authorization, runtime.config.nodeToken)) {
      const error = { code: 'UNAUTHORIZED', message: 'Missing or invalid bearer token' };
      // tRPC clients expect their own error envelope (the one our error formatter produces).
      const body = path.startsWith('/node/trpc/')
        ? { error: { message: error.message, code: -32001, data: { code: error.code, httpStatus: 401 }, error } }
        : { error };
      return reply.code(401).header('www-authenticate', 'Bearer').send(body);
    }
    if (runtime.shutdownState !== 'running' && !ALLOWED_WHILE_DRAINING.has(path)) {
      return reply.code(503).send({ error: { code: 'SERVICE_UNAVAILABLE', message: 'The node is shutting down' } });
    }
  });

  // trpc-to-openapi answers errors as { ...errorShape, message, code, issues }; keep only our one shape.
  // (It rewrites request.url, hence the route's own url.)
  app.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode < 400 || typeof payload !== 'string' || !(request.routeOptions.url ?? '').startsWith('/node/v1/')) return payload;
    try {
      const body = JSON.parse(payload) as { error?: unknown };
      return body.error && typeof body.error === 'object' ? JSON.stringify({ error: body.error }) : payload;
    } catch {
      return payload;
    }
  });

  app.setErrorHandler((error, _request, reply) => {
    const statusCode = (error as { statusCode?: number }).statusCode;
    if (statusCode && statusCode >= 400 && statusCode < 500 && FASTIFY_ERROR_CODES[statusCode] && (error as { code?: string }).code?.startsWith('FST_')) {
      return reply.code(statusCode).send({ error: { code: FASTIFY_ERROR_CODES[statusCode], message: error instanceof Error ? error.message : 'Bad request' } });
    }
    const mapped = httpErrorFor(error);
    if (mapped.statusCode >= 500 && mapped.code === 'INTERNAL_SERVER_ERROR') {
      runtime.deps.logger.error('request failed', { error: error instanceof Error ? error.message : String(error) });
    }
    const { statusCode: status, ...body } = mapped;
    return reply.code(status).send({ error: body });
  });

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: { code: 'NOT_FOUND', message: `No route ${request.method} ${pathOf(request.url)}` } }),
  );

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

// The HTTP surface: tRPC at /trpc, REST at /api/v1 (with its OpenAPI document), /docs and /healthz.
import Fastify, { type FastifyInstance } from 'fastify';
import { fastifyTRPCPlugin } from '@trpc/server/adapters/fastify';
import { fastifyTRPCOpenApiPlugin } from 'trpc-to-openapi';
import { appRouter, createInnerContext, openApiDocument, REST_BASE_PATH, requestInfoFromHeaders, type ApiDeps, type AppRouter } from '@gpu-shopper/api';
import type { Logger } from '../logger';
import { registerDocs } from './docs';
import { registerMetrics } from './metrics';
import { registerInventoryResponseCache } from './inventory-response-cache';

export function buildHttpServer(deps: ApiDeps, logger: Logger): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024, routerOptions: { maxParamLength: 500 } });
  const createContext = ({ req }: { req: { headers: Record<string, string | string[] | undefined> } }) => createInnerContext(deps, requestInfoFromHeaders(req.headers));
  const onError = ({ error, path }: { error: { code: string; message: string; cause?: unknown }; path?: string }) => {
    if (error.code === 'INTERNAL_SERVER_ERROR') logger.error(`${path ?? '?'}: ${error.cause instanceof Error ? (error.cause.stack ?? error.cause.message) : error.message}`);
  };

  registerInventoryResponseCache(app, deps, [`${REST_BASE_PATH}/inventory`, '/trpc/inventory.search']);
  app.get('/healthz', () => ({ status: 'ok' }));
  registerMetrics(app, deps);
  const document = JSON.stringify(openApiDocument());
  app.get(`${REST_BASE_PATH}/openapi.json`, (_request, reply) => reply.type('application/json').send(document));
  registerDocs(app, `${REST_BASE_PATH}/openapi.json`);

  void app.register(fastifyTRPCPlugin, { prefix: '/trpc', trpcOptions: { router: appRouter, createContext, onError } });
  void app.register(fastifyTRPCOpenApiPlugin<AppRouter>, {
    basePath: REST_BASE_PATH,
    router: appRouter,
    createContext,
    onError,
    // Provisioning answers at once, before the node is ready: 202 Accepted.
    responseMeta: ({ paths, errors }) => (errors.length === 0 && paths?.includes('sessions.create') ? { status: 202 } : {}),
  });

  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) logger.error(`unhandled: ${error.message}`);
    return reply.code(status).send({ message: status === 500 ? 'internal error' : error.message, code: status === 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST' });
  });
  return app;
}

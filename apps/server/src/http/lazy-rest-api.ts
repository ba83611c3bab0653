// The REST API (trpc-to-openapi's Fastify adapter) behind a route registered at once, with the adapter
// loaded on the first REST request: trpc-to-openapi brings zod-openapi, openapi3-ts (with yaml) and
// co-body, some 200 modules, about a tenth of the server's start, that readiness does not need.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CreateOpenApiFastifyPluginOptions, OpenApiRouter } from 'trpc-to-openapi';

type RestHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/** The methods and path the adapter's plugin registers (trpc-to-openapi 3.3, adapters/fastify). */
const METHODS = ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'];

/**
 * The adapter's own handler, as its plugin would register it: the plugin is run against a stand-in
 * for the Fastify instance that keeps the route it declares, so the request and reply glue stays
 * trpc-to-openapi's. Our instance has no prefix, as when the plugin is registered on it directly.
 */
async function loadHandler<TRouter extends OpenApiRouter>(options: CreateOpenApiFastifyPluginOptions<TRouter>): Promise<RestHandler> {
  const { fastifyTRPCOpenApiPlugin } = await import('trpc-to-openapi');
  let handler: RestHandler | undefined;
  const standIn = { prefix: '', route: (route: { handler: RestHandler }) => void (handler = route.handler) };
  fastifyTRPCOpenApiPlugin(standIn as unknown as FastifyInstance, options, (error) => {
    if (error !== undefined) throw error;
  });
  if (handler === undefined) throw new Error('trpc-to-openapi declared no route: its Fastify adapter changed (see lazy-rest-api.ts)');
  return handler;
}

/** Registers `${basePath}/*` for the REST methods, as the plugin would; the adapter loads on the first request under it. */
export function registerLazyRestApi<TRouter extends OpenApiRouter>(app: FastifyInstance, options: CreateOpenApiFastifyPluginOptions<TRouter> & { basePath: `/${string}` }): void {
  let handler: Promise<RestHandler> | undefined;
  const load = () =>
    (handler ??= loadHandler(options).catch((error: unknown) => {
      handler = undefined; // the next request tries again
      throw error;
    }));
  app.route({
    method: METHODS,
    url: `${options.basePath}/*`,
    handler: async (request, reply) => (await load())(request, reply),
  });
}

// The agent's single tRPC instance: OpenAPI meta, one error formatter that never leaks stacks,
// domain errors mapped once to tRPC codes, and the procedure builders every router uses.
import { initTRPC, TRPCError } from '@trpc/server';
import type { OpenApiMeta } from 'trpc-to-openapi';
import { z } from 'zod';
import { toTrpcError } from './errors';
import type { FieldCause } from './errors';
import type { AgentContext } from './context';

const t = initTRPC
  .context<AgentContext>()
  .meta<OpenApiMeta>()
  .create({
    // Never include stack traces, whatever NODE_ENV says.
    isDev: false,
    errorFormatter({ shape, error }) {
      const zodError = error.cause instanceof z.ZodError ? error.cause : null;
      const firstIssue = zodError?.issues[0];
      const field = firstIssue ? firstIssue.path.join('.') : (error.cause as FieldCause | undefined)?.field;
      const message =
        error.code === 'INTERNAL_SERVER_ERROR' ? 'Internal error' : firstIssue ? `${field ? `${field}: ` : ''}${firstIssue.message}` : shape.message;
      // As the shopper API's `data` (its errors.ts): the REST facade answers { message, code, data }.
      let fieldErrors: Record<string, string[]> | null = null;
      for (const issue of zodError?.issues ?? []) ((fieldErrors ??= {})[issue.path.length > 0 ? issue.path.join('.') : '(input)'] ??= []).push(issue.message);
      return {
        ...shape,
        message,
        data: { code: shape.data.code, httpStatus: shape.data.httpStatus, field: field || null, fieldErrors },
        error: { code: error.code, message, ...(field ? { field } : {}) },
      };
    },
  });

const mapDomainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) {
    const mapped = toTrpcError(result.error.cause ?? result.error);
    if (mapped && mapped !== result.error) throw mapped;
  }
  return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(mapDomainErrors);

/** Every procedure but the health probe: the session token was checked for this request. */
export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.isAuthenticated) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Missing or invalid bearer token' });
  return next({ ctx: { ...ctx, isAuthenticated: true as const } });
});

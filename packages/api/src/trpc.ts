// The API's one tRPC instance: OpenAPI meta, the error shape, and the procedures every router
// builds on (public, protected for any valid key, admin for operator keys).
import { initTRPC, TRPCError } from '@trpc/server';
import { ZodError } from 'zod';
import type { OpenApiMeta } from 'trpc-to-openapi';
import type { Caller } from '@gpu-shopper/domain';
import { annotateLogContext } from '@gpu-shopper/services';
import type { Context } from './context';
import { describeZodError, errorData, toTRPCError } from './errors';

const t = initTRPC
  .context<Context>()
  .meta<OpenApiMeta>()
  .create({
    isDev: false,
    errorFormatter({ shape, error }) {
      const message = error.code === 'BAD_REQUEST' && error.cause instanceof ZodError ? `invalid input: ${describeZodError(error.cause)}` : shape.message;
      return { message, code: shape.code, data: errorData(error, shape.data.httpStatus) };
    },
  });

/** Domain errors thrown anywhere below become the right tRPC error, here and only here. */
const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && !(result.error.cause instanceof ZodError) && result.error.code === 'INTERNAL_SERVER_ERROR') throw toTRPCError(result.error);
  return result;
});

const authenticated = t.middleware(async ({ ctx, next }) => {
  let caller: Caller;
  try {
    caller = await ctx.services.apiKeys.authenticate(ctx.apiKey);
  } catch (error) {
    throw toTRPCError(error);
  }
  // The request's log lines (its access line too) name the caller from here on.
  annotateLogContext({ consumer: caller.role === 'admin' ? `operator:${caller.keyId}` : caller.consumerName });
  return next({ ctx: { ...ctx, caller } });
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(mapErrors);
export const protectedProcedure = publicProcedure.use(authenticated);
export const adminProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (ctx.caller.role !== 'admin') throw new TRPCError({ code: 'FORBIDDEN', message: 'this needs an operator (admin) key' });
  return next({ ctx: { ...ctx, caller: ctx.caller } });
});

// DELETE /sessions/{id}: force shutdown (a consumer for its own session, an operator for any).
import { SessionDetailSchema } from '@gpu-shopper/domain';
import { protectedProcedure } from '../../trpc';
import { sessionIdInput } from './schemas';

export const shutdown = protectedProcedure
  .meta({ openapi: { method: 'DELETE', path: '/sessions/{id}', tags: ['sessions'], summary: 'Force a session to shut down', protect: true } })
  .input(sessionIdInput)
  .output(SessionDetailSchema)
  .mutation(({ ctx, input }) => ctx.services.sessions.forceShutdown(ctx.caller, input.id));

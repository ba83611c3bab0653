// GET /sessions/{id}: one session with its state history.
import { SessionDetailSchema } from '@gpu-shopper/domain';
import { protectedProcedure } from '../../trpc';
import { sessionIdInput } from './schemas';

export const get = protectedProcedure
  .meta({ openapi: { method: 'GET', path: '/sessions/{id}', tags: ['sessions'], summary: 'Get a session and its history', protect: true } })
  .input(sessionIdInput)
  .output(SessionDetailSchema)
  .query(({ ctx, input }) => ctx.services.sessions.get(ctx.caller, input.id));

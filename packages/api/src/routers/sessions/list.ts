// GET /sessions: live sessions by default; all of them with all=true.
import { z } from 'zod';
import { SessionSchema, SessionStateSchema } from '@gpu-shopper/domain';
import { protectedProcedure } from '../../trpc';
import { consumerIdByName } from '@gpu-shopper/services';

export const list = protectedProcedure
  .meta({ openapi: { method: 'GET', path: '/sessions', tags: ['sessions'], summary: 'List sessions (live ones unless all=true)', protect: true } })
  .input(
    z.object({
      all: z.boolean().optional(),
      state: SessionStateSchema.optional(),
      consumer: z.string().max(64).optional().describe('Operators: only this consumer’s sessions'),
    }),
  )
  .output(z.object({ sessions: z.array(SessionSchema) }))
  .query(async ({ ctx, input }) => {
    const consumerId = input.consumer !== undefined && ctx.caller.role === 'admin' ? await consumerIdByName(ctx.em, input.consumer) : undefined;
    return { sessions: await ctx.services.sessions.list(ctx.caller, { all: input.all, state: input.state, consumerId }) };
  });

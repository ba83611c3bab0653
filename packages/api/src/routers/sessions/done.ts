// POST /sessions/{id}/done: the consumer is finished; the node is shut down gracefully.
import { SessionDetailSchema, StoragePolicySchema } from '@gpu-shopper/domain';
import { protectedProcedure } from '../../trpc';
import { sessionIdInput } from './schemas';

export const done = protectedProcedure
  .meta({ openapi: { method: 'POST', path: '/sessions/{id}/done', tags: ['sessions'], summary: 'Finish a session gracefully', protect: true } })
  .input(sessionIdInput.extend({ storage: StoragePolicySchema.default('destroy').describe('preserve: stop the instance and keep its disk (it keeps costing)') }))
  .output(SessionDetailSchema)
  .mutation(({ ctx, input }) => ctx.services.sessions.done(ctx.caller, input.id, input.storage));

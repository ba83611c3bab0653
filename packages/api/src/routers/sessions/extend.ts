// POST /sessions/{id}/extend: more hours, within the 12-hour maximum.
import { z } from 'zod';
import { SessionDetailSchema } from '@gpu-shopper/domain';
import { protectedProcedure } from '../../trpc';
import { sessionIdInput } from './schemas';

export const extend = protectedProcedure
  .meta({ openapi: { method: 'POST', path: '/sessions/{id}/extend', tags: ['sessions'], summary: 'Extend a reservation', protect: true } })
  .input(sessionIdInput.extend({ hours: z.number().int().min(1).max(12) }))
  .output(SessionDetailSchema)
  .mutation(({ ctx, input }) => ctx.services.sessions.extend(ctx.caller, input.id, input.hours));

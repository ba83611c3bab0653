// GET /sessions: live sessions by default; all of them with all=true. Newest first, a page at a
// time: `limit` sessions, and `nextCursor` to pass back for the next page (null on the last).
import { z } from 'zod';
import { SessionSchema, SessionStateSchema } from '@gpu-shopper/domain';
import { protectedProcedure } from '../../trpc';
import { consumerIdByName, SESSION_PAGE_DEFAULT, SESSION_PAGE_MAX } from '@gpu-shopper/services';

export const listInput = z.object({
  all: z.boolean().optional(),
  state: SessionStateSchema.optional(),
  consumer: z.string().max(64).optional().describe('Operators: only this consumer’s sessions'),
  limit: z.number().int().min(1).max(SESSION_PAGE_MAX).optional().describe(`Page size (default ${SESSION_PAGE_DEFAULT}, at most ${SESSION_PAGE_MAX})`),
  cursor: z.string().min(1).max(256).optional().describe('The nextCursor of the previous page, as it came'),
});

export const listOutput = z.object({
  sessions: z.array(SessionSchema),
  nextCursor: z.string().nullable().describe('Pass as cursor for the next page; null when this is the last'),
});

export const list = protectedProcedure
  .meta({ openapi: { method: 'GET', path: '/sessions', tags: ['sessions'], summary: 'List sessions, newest first, a page at a time (live ones unless all=true)', protect: true } })
  .input(listInput)
  .output(listOutput)
  .query(async ({ ctx, input }) => {
    const consumerId = input.consumer !== undefined && ctx.caller.role === 'admin' ? await consumerIdByName(ctx.em, input.consumer) : undefined;
    return ctx.services.sessions.list(ctx.caller, { all: input.all, state: input.state, consumerId, limit: input.limit, cursor: input.cursor });
  });

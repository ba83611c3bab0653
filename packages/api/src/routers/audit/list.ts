// GET /audit (operators): who did what and when — keys, budgets, overrides, forced shutdowns,
// provider keys — newest first, a page at a time.
import { z } from 'zod';
import { AuditActionSchema, AuditEventSchema } from '@gpu-shopper/domain';
import { listAuditEvents } from '@gpu-shopper/services';
import { adminProcedure } from '../../trpc';

export const list = adminProcedure
  .meta({ openapi: { method: 'GET', path: '/audit', tags: ['audit'], summary: 'The audit log of operator actions, newest first (operators only)', protect: true } })
  .input(
    z.object({
      action: AuditActionSchema.optional(),
      since: z.iso.datetime({ offset: true }).optional().describe('Entries at or after this instant'),
      until: z.iso.datetime({ offset: true }).optional().describe('Entries before this instant'),
      cursor: z.number().int().positive().optional().describe('The nextCursor of the previous page'),
      limit: z.number().int().min(1).max(500).optional().describe('Page size (default 100)'),
    }),
  )
  .output(z.object({ events: z.array(AuditEventSchema), nextCursor: z.number().int().nullable() }))
  .query(({ ctx, input }) =>
    listAuditEvents(ctx.em, {
      action: input.action,
      since: input.since === undefined ? undefined : new Date(input.since),
      until: input.until === undefined ? undefined : new Date(input.until),
      cursor: input.cursor,
      limit: input.limit,
    }),
  );

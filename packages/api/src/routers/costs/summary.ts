// GET /costs: spend per consumer, bucketed by hour, day or month, or the total.
import { z } from 'zod';
import { CostPeriodSchema, CostSummarySchema } from '@gpu-shopper/domain';
import { protectedProcedure } from '../../trpc';

/** A timestamp or a plain date ("2026-11-01", read as UTC midnight). */
const instantInput = z.union([z.iso.datetime({ offset: true }), z.iso.date()]);

export const summary = protectedProcedure
  .meta({ openapi: { method: 'GET', path: '/costs', tags: ['costs'], summary: 'Costs per period', protect: true } })
  .input(
    z.object({
      consumer: z.string().max(64).optional().describe('Operators: a consumer name (default: all consumers)'),
      period: CostPeriodSchema.default('day'),
      from: instantInput.optional(),
      to: instantInput.optional(),
    }),
  )
  .output(CostSummarySchema)
  .query(({ ctx, input }) =>
    ctx.services.costs.summarize(ctx.caller, {
      consumer: input.consumer,
      period: input.period,
      from: input.from === undefined ? undefined : new Date(input.from),
      to: input.to === undefined ? undefined : new Date(input.to),
    }),
  );

// GET /costs: spend per consumer, bucketed by hour, day or month, or the total; accrued up to now, and
// grouped by provider, GPU model or consumer on request.
import { z } from 'zod';
import { CostBucketSchema, CostPeriodSchema, CostSummarySchema } from '@gpu-shopper/domain';
import { COST_GROUPINGS } from '@gpu-shopper/services';
import { protectedProcedure } from '../../trpc';

/** A timestamp or a plain date ("2026-11-01", read as UTC midnight). */
const instantInput = z.union([z.iso.datetime({ offset: true }), z.iso.date()]);

export const CostGroupSchema = z.object({
  /** The provider, GPU model or consumer id. */
  key: z.string(),
  totalUsd: z.number(),
  computeUsd: z.number(),
  storageUsd: z.number(),
  adjustmentUsd: z.number(),
  /** This group's spend per period, as the report's own buckets: a chart's stacks over time. */
  buckets: z.array(CostBucketSchema),
});

export const CostReportSchema = CostSummarySchema.extend({
  accruedAt: z.iso.datetime().nullable(),
  groupBy: z.enum(COST_GROUPINGS).optional(),
  groups: z.array(CostGroupSchema).optional(),
});

export const summary = protectedProcedure
  .meta({ openapi: { method: 'GET', path: '/costs', tags: ['costs'], summary: 'Costs per period', protect: true } })
  .input(
    z.object({
      consumer: z.string().max(64).optional().describe('Operators: a consumer name (default: all consumers)'),
      period: CostPeriodSchema.default('day'),
      from: instantInput.optional(),
      to: instantInput.optional(),
      group_by: z.enum(COST_GROUPINGS).optional().describe('Adds a `groups` breakdown by provider, GPU model or consumer'),
    }),
  )
  .output(CostReportSchema)
  .query(({ ctx, input }) =>
    ctx.services.costs.summarize(ctx.caller, {
      consumer: input.consumer,
      period: input.period,
      from: input.from === undefined ? undefined : new Date(input.from),
      to: input.to === undefined ? undefined : new Date(input.to),
      groupBy: input.group_by,
    }),
  );

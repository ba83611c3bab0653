// Cost summaries: what a consumer (or everyone) spent, bucketed by period.
import { z } from 'zod';

export const COST_PERIODS = ['hour', 'day', 'month', 'total'] as const;
export const CostPeriodSchema = z.enum(COST_PERIODS);
export type CostPeriod = z.infer<typeof CostPeriodSchema>;

export const CostBucketSchema = z.object({
  start: z.iso.datetime(),
  costUsd: z.number(),
});

export const CostSummarySchema = z.object({
  consumerId: z.string().nullable(),
  period: CostPeriodSchema,
  from: z.iso.datetime().nullable(),
  to: z.iso.datetime().nullable(),
  totalUsd: z.number(),
  buckets: z.array(CostBucketSchema),
});
export type CostSummary = z.infer<typeof CostSummarySchema>;

/** The start of the bucket that `at` falls in (UTC). */
export function bucketStart(at: Date, period: CostPeriod): Date {
  const d = new Date(at.getTime());
  switch (period) {
    case 'hour':
      d.setUTCMinutes(0, 0, 0);
      return d;
    case 'day':
      d.setUTCHours(0, 0, 0, 0);
      return d;
    case 'month':
      d.setUTCHours(0, 0, 0, 0);
      d.setUTCDate(1);
      return d;
    case 'total':
      return new Date(0);
  }
}

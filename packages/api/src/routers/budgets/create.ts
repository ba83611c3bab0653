// POST /budgets: a spending limit with alert thresholds and an action at 100%.
import { z } from 'zod';
import { BudgetActionSchema, BudgetPeriodSchema, BudgetSchema, ThresholdsPercentSchema } from '@gpu-shopper/domain';
import { protectedProcedure } from '../../trpc';

export const create = protectedProcedure
  .meta({ openapi: { method: 'POST', path: '/budgets', tags: ['budgets'], summary: 'Create a budget', protect: true } })
  .input(
    z.object({
      consumer: z.string().max(64).optional().describe('Operators: the consumer (omit for a global budget)'),
      limitUsd: z.number().positive().max(10_000_000),
      period: BudgetPeriodSchema,
      thresholdsPercent: ThresholdsPercentSchema.optional(),
      webhookUrl: z.string().max(2048).optional(),
      action: BudgetActionSchema.optional(),
    }),
  )
  .output(BudgetSchema)
  .mutation(({ ctx, input }) => ctx.services.budgets.create(ctx.caller, input));

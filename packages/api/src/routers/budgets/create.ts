// POST /budgets: sets a spending limit with alert thresholds and an action at 100%: creates it, or
// updates the budget already set for the same consumer (or the global one) and period.
import { z } from 'zod';
import { BudgetActionSchema, BudgetPeriodSchema, BudgetSchema, ThresholdsPercentSchema } from '@gpu-shopper/domain';
import { protectedProcedure } from '../../trpc';

export const create = protectedProcedure
  .meta({
    openapi: {
      method: 'POST',
      path: '/budgets',
      tags: ['budgets'],
      summary: 'Set a budget (creates it, or updates the one for the same consumer and period)',
      description: 'A budget an operator set binds its consumer: a consumer key gets 403 trying to change it.',
      protect: true,
    },
  })
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
  .output(BudgetSchema.extend({ created: z.boolean().describe('false: the budget already set for this consumer and period was updated') }))
  .mutation(async ({ ctx, input }) => {
    const { budget, created } = await ctx.services.budgets.set(ctx.caller, input);
    return { ...budget, created };
  });

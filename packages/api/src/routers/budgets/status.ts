// GET /budgets/status: each budget with its spend in the current period, reserved spend and what is left.
import { z } from 'zod';
import { BudgetSchema } from '@gpu-shopper/domain';
import { protectedProcedure } from '../../trpc';

export const BudgetStatusSchema = BudgetSchema.extend({
  periodStart: z.iso.datetime(),
  spentUsd: z.number(),
  reservedUsd: z.number(),
  remainingUsd: z.number(),
  percentUsed: z.number(),
});

export const status = protectedProcedure
  .meta({ openapi: { method: 'GET', path: '/budgets/status', tags: ['budgets'], summary: 'Budgets with their current spend', protect: true } })
  .input(z.object({}))
  .output(z.object({ budgets: z.array(BudgetStatusSchema) }))
  .query(async ({ ctx }) => ({ budgets: await ctx.services.budgets.status(ctx.caller) }));

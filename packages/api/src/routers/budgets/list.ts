// GET /budgets
import { z } from 'zod';
import { BudgetSchema } from '@gpu-shopper/domain';
import { protectedProcedure } from '../../trpc';

export const list = protectedProcedure
  .meta({ openapi: { method: 'GET', path: '/budgets', tags: ['budgets'], summary: 'List budgets', protect: true } })
  .input(z.object({}))
  .output(z.object({ budgets: z.array(BudgetSchema) }))
  .query(async ({ ctx }) => ({ budgets: await ctx.services.budgets.list(ctx.caller) }));

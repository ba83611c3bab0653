// DELETE /budgets/{id}
import { z } from 'zod';
import { BudgetSchema } from '@gpu-shopper/domain';
import { protectedProcedure } from '../../trpc';

export const remove = protectedProcedure
  .meta({ openapi: { method: 'DELETE', path: '/budgets/{id}', tags: ['budgets'], summary: 'Delete a budget (one an operator set: operators only)', protect: true } })
  .input(z.object({ id: z.string().min(1).max(64) }))
  .output(BudgetSchema)
  .mutation(({ ctx, input }) => ctx.services.budgets.delete(ctx.caller, input.id));

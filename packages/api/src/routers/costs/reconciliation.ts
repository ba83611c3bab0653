// GET /costs/reconciliation (operators): the latest comparison of our ledger with each provider's bill, per session.
import { z } from 'zod';
import { PROVIDER_NAMES } from '@gpu-shopper/domain';
import { adminProcedure } from '../../trpc';

export const ReconciliationResultSchema = z.object({
  sessionId: z.string(),
  consumerId: z.string(),
  provider: z.enum(PROVIDER_NAMES),
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  ledgerUsd: z.number(),
  providerUsd: z.number(),
  /** Added to the ledger once the session ended, so that it matches the provider's final bill. */
  adjustmentUsd: z.number(),
  /** (ledger - provider) / provider; null when the provider billed nothing. */
  differenceRatio: z.number().nullable(),
  /** More than 1% apart (and more than a cent). */
  drift: z.boolean(),
  checkedAt: z.iso.datetime(),
});

export const reconciliation = adminProcedure
  .meta({ openapi: { method: 'GET', path: '/costs/reconciliation', tags: ['costs'], summary: 'Ledger versus provider billing, per session', protect: true } })
  .input(z.object({}))
  .output(z.object({ results: z.array(ReconciliationResultSchema) }))
  .query(async ({ ctx }) => ({ results: await ctx.services.costs.reconciliation(ctx.caller) }));

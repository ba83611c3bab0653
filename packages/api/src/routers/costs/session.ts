// GET /costs/sessions/{id}: one session's cost so far, split into compute and storage, per hour.
import { z } from 'zod';
import { protectedProcedure } from '../../trpc';

export const SessionCostSchema = z.object({
  sessionId: z.string(),
  consumerId: z.string(),
  provider: z.string().nullable(),
  gpuModel: z.string().nullable(),
  state: z.string(),
  computePerHourUsd: z.number(),
  storagePerHourUsd: z.number(),
  computeUsd: z.number(),
  storageUsd: z.number(),
  /** The provider's final bill minus what we metered (written by reconciliation once the session ended). */
  adjustmentUsd: z.number(),
  totalUsd: z.number(),
  accruedAt: z.iso.datetime().nullable(),
  hours: z.array(z.object({ start: z.iso.datetime(), computeUsd: z.number(), storageUsd: z.number() })),
});

export const session = protectedProcedure
  .meta({ openapi: { method: 'GET', path: '/costs/sessions/{id}', tags: ['costs'], summary: 'One session’s cost so far', protect: true } })
  .input(z.object({ id: z.string().min(1).max(64) }))
  .output(SessionCostSchema)
  .query(({ ctx, input }) => ctx.services.costs.sessionCost(ctx.caller, input.id));

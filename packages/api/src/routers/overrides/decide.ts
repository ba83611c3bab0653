// POST /overrides/{id}/approve and /deny: an operator's decision, recorded with who and when.
import { z } from 'zod';
import { OverrideRequestSchema } from '@gpu-shopper/domain';
import { adminProcedure } from '../../trpc';

const overrideIdInput = z.object({ id: z.string().min(1).max(64) });

export const approve = adminProcedure
  .meta({ openapi: { method: 'POST', path: '/overrides/{id}/approve', tags: ['overrides'], summary: 'Approve a reservation past 12 hours', protect: true } })
  .input(overrideIdInput)
  .output(OverrideRequestSchema)
  .mutation(({ ctx, input }) => ctx.services.overrides.decide(ctx.caller, input.id, true));

export const deny = adminProcedure
  .meta({ openapi: { method: 'POST', path: '/overrides/{id}/deny', tags: ['overrides'], summary: 'Deny a reservation override', protect: true } })
  .input(overrideIdInput)
  .output(OverrideRequestSchema)
  .mutation(({ ctx, input }) => ctx.services.overrides.decide(ctx.caller, input.id, false));

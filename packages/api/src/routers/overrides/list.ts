// GET /overrides: override requests (pending ones first in mind), for operators.
import { z } from 'zod';
import { OverrideRequestSchema } from '@gpu-shopper/domain';
import { adminProcedure } from '../../trpc';

export const list = adminProcedure
  .meta({ openapi: { method: 'GET', path: '/overrides', tags: ['overrides'], summary: 'List reservation override requests', protect: true } })
  .input(z.object({ status: z.enum(['pending', 'approved', 'denied']).optional() }))
  .output(z.object({ overrides: z.array(OverrideRequestSchema) }))
  .query(async ({ ctx, input }) => ({ overrides: await ctx.services.overrides.list(input.status) }));

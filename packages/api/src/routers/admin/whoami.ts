// GET /whoami: which key is calling, so a client can check its configuration.
import { z } from 'zod';
import { ApiKeyRoleSchema } from '@gpu-shopper/domain';
import { protectedProcedure } from '../../trpc';

export const whoami = protectedProcedure
  .meta({ openapi: { method: 'GET', path: '/whoami', tags: ['admin'], summary: 'Who the presented key belongs to', protect: true } })
  .input(z.object({}))
  .output(z.object({ role: ApiKeyRoleSchema, keyId: z.string(), consumerId: z.string().nullable(), consumerName: z.string().nullable() }))
  .query(({ ctx }) => ({
    role: ctx.caller.role,
    keyId: ctx.caller.keyId,
    consumerId: ctx.caller.consumerId,
    consumerName: ctx.caller.role === 'consumer' ? ctx.caller.consumerName : null,
  }));

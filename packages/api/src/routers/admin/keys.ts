// Operator key management: create a consumer key (shown once), list keys (never the secret), revoke.
import { z } from 'zod';
import { ApiKeySummarySchema, ConsumerNameSchema } from '@gpu-shopper/domain';
import { adminProcedure } from '../../trpc';

export const createKey = adminProcedure
  .meta({ openapi: { method: 'POST', path: '/admin/keys', tags: ['admin'], summary: 'Create a consumer API key (shown once)', protect: true } })
  .input(z.object({ consumer: ConsumerNameSchema }))
  .output(z.object({ key: z.string().describe('The API key. Store it now: it is never shown again.'), apiKey: ApiKeySummarySchema }))
  .mutation(async ({ ctx, input }) => {
    const created = await ctx.services.apiKeys.createConsumerKey(input.consumer);
    return { key: created.key, apiKey: created.summary };
  });

export const listKeys = adminProcedure
  .meta({ openapi: { method: 'GET', path: '/admin/keys', tags: ['admin'], summary: 'List API keys', protect: true } })
  .input(z.object({}))
  .output(z.object({ keys: z.array(ApiKeySummarySchema) }))
  .query(async ({ ctx }) => ({ keys: await ctx.services.apiKeys.list() }));

export const revokeKey = adminProcedure
  .meta({ openapi: { method: 'DELETE', path: '/admin/keys/{id}', tags: ['admin'], summary: 'Revoke an API key', protect: true } })
  .input(z.object({ id: z.string().min(1).max(64) }))
  .output(ApiKeySummarySchema)
  .mutation(({ ctx, input }) => ctx.services.apiKeys.revoke(input.id, ctx.caller.keyId));

// Operator key management: create a consumer key (shown once, optionally expiring), list keys
// (never the secret), rotate (a new secret, shown once), revoke.
import { z } from 'zod';
import { ApiKeySummarySchema, ConsumerNameSchema } from '@gpu-shopper/domain';
import { MAX_ROTATION_GRACE_SECONDS } from '@gpu-shopper/services';
import { adminProcedure } from '../../trpc';

const CreatedKeySchema = z.object({ key: z.string().describe('The API key. Store it now: it is never shown again.'), apiKey: ApiKeySummarySchema });
const expiresAt = z.iso.datetime({ offset: true }).describe('When the key stops working (401); omitted: it does not expire');

export const createKey = adminProcedure
  .meta({ openapi: { method: 'POST', path: '/admin/keys', tags: ['admin'], summary: 'Create a consumer API key (shown once)', protect: true } })
  .input(z.object({ consumer: ConsumerNameSchema, expiresAt: expiresAt.optional() }))
  .output(CreatedKeySchema)
  .mutation(async ({ ctx, input }) => {
    const created = await ctx.services.apiKeys.createConsumerKey(input.consumer, { expiresAt: input.expiresAt === undefined ? undefined : new Date(input.expiresAt), actor: ctx.caller });
    return { key: created.key, apiKey: created.summary };
  });

export const rotateKey = adminProcedure
  .meta({
    openapi: {
      method: 'POST',
      path: '/admin/keys/{id}/rotate',
      tags: ['admin'],
      summary: 'Rotate an API key: a new secret (shown once) for the same key; the old secret stops working',
      description: `The old secret is refused at once, or after graceSeconds (at most ${MAX_ROTATION_GRACE_SECONDS}) to roll the new one out.`,
      protect: true,
    },
  })
  .input(
    z.object({
      id: z.string().min(1).max(64),
      graceSeconds: z.number().int().min(0).max(MAX_ROTATION_GRACE_SECONDS).optional().describe('How long the old secret keeps working (default 0: not at all)'),
      expiresAt: expiresAt.optional().describe('A new expiry; omitted: the key keeps its expiry'),
    }),
  )
  .output(CreatedKeySchema)
  .mutation(async ({ ctx, input }) => {
    const rotated = await ctx.services.apiKeys.rotate(input.id, ctx.caller, { graceSeconds: input.graceSeconds, expiresAt: input.expiresAt === undefined ? undefined : new Date(input.expiresAt) });
    return { key: rotated.key, apiKey: rotated.summary };
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
  .mutation(({ ctx, input }) => ctx.services.apiKeys.revoke(input.id, ctx.caller));

// A consumer's own webhook (its secret shown once) and the delivery log.
import { z } from 'zod';
import { TRPCError } from '@trpc/server';
import { WebhookDeliverySchema } from '@gpu-shopper/services';
import { protectedProcedure } from '../../trpc';

function dispatcher<T>(value: T | null): T {
  if (value === null) throw new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: 'webhooks are not enabled on this server' });
  return value;
}

export const setWebhook = protectedProcedure
  .meta({ openapi: { method: 'PUT', path: '/webhook', tags: ['webhooks'], summary: 'Set (or clear) the calling consumer’s webhook; returns a new signing secret once', protect: true } })
  .input(z.object({ url: z.string().max(2048).nullable() }))
  .output(z.object({ url: z.string().nullable(), secret: z.string().nullable() }))
  .mutation(({ ctx, input }) => {
    if (ctx.caller.role !== 'consumer') throw new TRPCError({ code: 'PRECONDITION_FAILED', message: 'operators set the global webhook with GPU_SHOPPER_WEBHOOK_URL' });
    return dispatcher(ctx.webhookDispatcher).setConsumerWebhook(ctx.caller.consumerId, input.url);
  });

export const deliveries = protectedProcedure
  .meta({ openapi: { method: 'GET', path: '/webhook/deliveries', tags: ['webhooks'], summary: 'Webhook delivery log (own deliveries; operators see all)', protect: true } })
  .input(z.object({ limit: z.number().int().min(1).max(500).optional() }))
  .output(z.object({ deliveries: z.array(WebhookDeliverySchema) }))
  .query(async ({ ctx, input }) => ({ deliveries: await dispatcher(ctx.webhookDispatcher).listDeliveries({ consumerId: ctx.caller.consumerId, limit: input.limit }) }));

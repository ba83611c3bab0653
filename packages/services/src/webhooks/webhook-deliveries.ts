// The delivery log as callers see it: a plain, serializable shape (never the secret, never the
// payload's signature), with a schema the API can use as its output.
import { z } from 'zod';
import type { WebhookDeliveryRow } from '@gpu-shopper/db';

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;

export const WebhookDeliverySchema = z.object({
  id: z.string(),
  /** null: a copy for the operators' global webhook. */
  consumerId: z.string().nullable(),
  event: z.string(),
  url: z.string(),
  status: z.enum(WEBHOOK_DELIVERY_STATUSES),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  createdAt: z.iso.datetime(),
  deliveredAt: z.iso.datetime().nullable(),
  nextAttemptAt: z.iso.datetime().nullable(),
});
export type WebhookDelivery = z.infer<typeof WebhookDeliverySchema>;

/** The envelope every webhook body carries; `id` is the event's, shared by its consumer and operator copies. */
export type WebhookEnvelope = {
  id: string;
  event: string;
  occurredAt: string;
  consumerId: string | null;
  data: Record<string, unknown>;
};

export function toWebhookDelivery(row: WebhookDeliveryRow): WebhookDelivery {
  return {
    id: row.id,
    consumerId: row.consumerId ?? null,
    event: row.event,
    url: row.url,
    status: row.status,
    attempts: row.attempts,
    lastError: row.lastError ?? null,
    createdAt: row.createdAt.toISOString(),
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
    nextAttemptAt: row.nextAttemptAt?.toISOString() ?? null,
  };
}

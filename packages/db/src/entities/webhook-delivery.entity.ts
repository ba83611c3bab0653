// The webhook delivery log: every event sent (or being retried) to a consumer or the operators.
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { baseProperties } from './base';

export const WebhookDeliveryEntity = defineEntity({
  name: 'WebhookDelivery',
  tableName: 'webhook_deliveries',
  properties: {
    ...baseProperties,
    /** null: the operators' global webhook. */
    consumerId: p.string().nullable().index(),
    event: p.string(),
    url: p.text(),
    payload: p.json<Record<string, unknown>>(),
    status: p.enum(['pending', 'delivered', 'failed'] as const).index(),
    attempts: p.integer().default(0),
    nextAttemptAt: p.datetime().nullable(),
    lastError: p.text().nullable(),
    deliveredAt: p.datetime().nullable(),
    /** The replica sending it now: claimed until claimExpiresAt, so no two replicas send it at once. */
    claimToken: p.string().nullable(),
    claimExpiresAt: p.datetime().nullable(),
  },
});
export type WebhookDeliveryRow = InferEntity<typeof WebhookDeliveryEntity>;

// A consumer: an application that rents GPUs through us and is billed for them.
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { baseProperties } from './base';

export const ConsumerEntity = defineEntity({
  name: 'Consumer',
  tableName: 'consumers',
  properties: {
    ...baseProperties,
    name: p.string().unique(),
    webhookUrl: p.text().nullable(),
    /** HMAC-SHA256 secret for this consumer's webhooks, encrypted with the master key. */
    webhookSecretEncrypted: p.text().nullable(),
  },
});
export type ConsumerRow = InferEntity<typeof ConsumerEntity>;

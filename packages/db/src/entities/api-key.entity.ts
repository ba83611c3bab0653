// An API key, stored as a SHA-256 hash: the key itself is shown once at creation and never again.
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { baseProperties } from './base';

export const ApiKeyEntity = defineEntity({
  name: 'ApiKey',
  tableName: 'api_keys',
  properties: {
    ...baseProperties,
    role: p.enum(['admin', 'consumer'] as const),
    consumerId: p.string().nullable().index(),
    /** The first characters of the key, enough for an operator to tell keys apart. */
    prefix: p.string(),
    hash: p.string().unique(),
    revokedAt: p.datetime().nullable(),
    lastUsedAt: p.datetime().nullable(),
    /** After this the key is refused; null: it does not expire. */
    expiresAt: p.datetime().nullable(),
    rotatedAt: p.datetime().nullable(),
    /** The hash of the secret before the last rotation, accepted until previousHashValidUntil (a grace to roll the new one out). */
    previousHash: p.string().nullable().index(),
    previousHashValidUntil: p.datetime().nullable(),
  },
});
export type ApiKeyRow = InferEntity<typeof ApiKeyEntity>;

// Consumers (the applications that rent GPUs) and the API keys that identify them and operators.
import { z } from 'zod';

export const ConsumerNameSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9._-]*$/i, 'letters, digits, ".", "_" and "-", starting with a letter or digit');

export const ConsumerSchema = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.iso.datetime(),
});
export type Consumer = z.infer<typeof ConsumerSchema>;

export const API_KEY_ROLES = ['admin', 'consumer'] as const;
export const ApiKeyRoleSchema = z.enum(API_KEY_ROLES);
export type ApiKeyRole = z.infer<typeof ApiKeyRoleSchema>;

/** What may be shown of a key after its creation: never the secret, only its prefix. */
export const ApiKeySummarySchema = z.object({
  id: z.string(),
  role: ApiKeyRoleSchema,
  consumerId: z.string().nullable(),
  consumerName: z.string().nullable(),
  prefix: z.string(),
  createdAt: z.iso.datetime(),
  revokedAt: z.iso.datetime().nullable(),
  lastUsedAt: z.iso.datetime().nullable(),
  /** After this the key is refused (401); null: it does not expire. */
  expiresAt: z.iso.datetime().nullable(),
  /** When the key last got a new secret. */
  rotatedAt: z.iso.datetime().nullable(),
  /** Until when the secret it had before its last rotation is still accepted; null: not at all. */
  previousSecretValidUntil: z.iso.datetime().nullable(),
});
export type ApiKeySummary = z.infer<typeof ApiKeySummarySchema>;

/** Who is calling: resolved from the API key once per request. */
export type Caller =
  | { role: 'admin'; keyId: string; consumerId: null }
  | { role: 'consumer'; keyId: string; consumerId: string; consumerName: string };

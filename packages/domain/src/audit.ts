// The audit log: every operator action (keys, budgets, overrides, forced shutdowns, provider keys),
// who took it and when. Operators read it; consumers never do.
import { z } from 'zod';

export const AUDIT_ACTIONS = [
  'key.created',
  'key.rotated',
  'key.revoked',
  'budget.set',
  'budget.deleted',
  'override.approved',
  'override.denied',
  'session.force_shutdown',
  'provider_key.set',
] as const;
export const AuditActionSchema = z.enum(AUDIT_ACTIONS);
export type AuditAction = z.infer<typeof AuditActionSchema>;

/** Small, and never a secret: ids, names, amounts, states. */
export type AuditDetail = Record<string, string | number | boolean | null>;

export const AuditEventSchema = z.object({
  /** Ascending with insertion; the page cursor. */
  id: z.number().int(),
  at: z.iso.datetime(),
  action: AuditActionSchema,
  /** The API key that acted. */
  actorKeyId: z.string(),
  /** The acting key's consumer; null for an operator key. */
  actorConsumerId: z.string().nullable(),
  /** What was acted on: a key, budget, override or session id, or "provider:<name>". */
  target: z.string(),
  detail: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
});
export type AuditEvent = z.infer<typeof AuditEventSchema>;

// One operator action (a key created, a budget deleted, an override approved...), written in the
// same transaction as the change it records. Append-only: nothing updates or deletes these rows.
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import type { AuditAction, AuditDetail } from '@gpu-shopper/domain';

export const AuditEventEntity = defineEntity({
  name: 'AuditEvent',
  tableName: 'audit_events',
  properties: {
    // Ascending with insertion: the newest-first order and the page cursor.
    id: p.integer().primary().autoincrement(),
    /** From the injected clock, like every other timestamp. */
    at: p.datetime().index(),
    // A string rather than an enum: new actions need no table rebuild in SQLite.
    action: p.string().$type<AuditAction>().index(),
    actorKeyId: p.string(),
    actorConsumerId: p.string().nullable(),
    target: p.string().index(),
    detail: p.json<AuditDetail>(),
  },
});
export type AuditEventRow = InferEntity<typeof AuditEventEntity>;

// Every state change of a session, with who made it and why: the audit trail operators read.
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { SESSION_STATES } from '@gpu-shopper/domain';

export const SessionEventEntity = defineEntity({
  name: 'SessionEvent',
  tableName: 'session_events',
  properties: {
    id: p.integer().primary().autoincrement(),
    sessionId: p.string().index(),
    at: p.datetime(),
    fromState: p.enum([...SESSION_STATES]).nullable(),
    toState: p.enum([...SESSION_STATES]),
    reason: p.text(),
    actor: p.string(),
  },
});
export type SessionEventRow = InferEntity<typeof SessionEventEntity>;

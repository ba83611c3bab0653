// Things an operator must know about: orphans, lost heartbeats, failed listings, cost drift.
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { baseProperties } from './base';

export const ALERT_KINDS = ['orphan', 'heartbeat_lost', 'listing_failed', 'teardown_stuck', 'cost_drift', 'idle', 'reservation_expired', 'budget', 'instance_lost'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export const AlertEntity = defineEntity({
  name: 'Alert',
  tableName: 'alerts',
  properties: {
    ...baseProperties,
    kind: p.enum([...ALERT_KINDS]).index(),
    message: p.text(),
    sessionId: p.string().nullable().index(),
    consumerId: p.string().nullable(),
    provider: p.string().nullable(),
    instanceId: p.string().nullable(),
    resolvedAt: p.datetime().nullable(),
    detail: p.json<Record<string, unknown>>().nullable(),
  },
});
export type AlertRow = InferEntity<typeof AlertEntity>;

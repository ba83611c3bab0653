// A request to extend a session past 12 hours; only an operator can approve it.
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { baseProperties } from './base';

export const OverrideRequestEntity = defineEntity({
  name: 'OverrideRequest',
  tableName: 'override_requests',
  properties: {
    ...baseProperties,
    sessionId: p.string().index(),
    consumerId: p.string().index(),
    requestedEndsAt: p.datetime(),
    extraHours: p.integer(),
    status: p.enum(['pending', 'approved', 'denied'] as const).index(),
    requestedBy: p.string(),
    decidedBy: p.string().nullable(),
    decidedAt: p.datetime().nullable(),
    version: p.integer().version(),
  },
});
export type OverrideRequestRow = InferEntity<typeof OverrideRequestEntity>;

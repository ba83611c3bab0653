// What the ledger bills from: when an instance started and stopped costing compute and storage,
// as observed from the provider. Persisted, so a restart loses no accrued time.
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { PROVIDER_NAMES } from '@gpu-shopper/domain';

export const USAGE_KINDS = ['compute_started', 'compute_stopped', 'storage_started', 'storage_stopped'] as const;
export type UsageKind = (typeof USAGE_KINDS)[number];

export const UsageEventEntity = defineEntity({
  name: 'UsageEvent',
  tableName: 'usage_events',
  properties: {
    id: p.integer().primary().autoincrement(),
    sessionId: p.string().index(),
    consumerId: p.string().index(),
    provider: p.enum([...PROVIDER_NAMES]),
    instanceId: p.string(),
    kind: p.enum([...USAGE_KINDS]),
    at: p.datetime().index(),
  },
});
export type UsageEventRow = InferEntity<typeof UsageEventEntity>;

// The cost ledger: what a session cost in one hour, per kind of charge, in integer micro-dollars.
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { PROVIDER_NAMES } from '@gpu-shopper/domain';

export const CostEntryEntity = defineEntity({
  name: 'CostEntry',
  tableName: 'cost_entries',
  properties: {
    id: p.integer().primary().autoincrement(),
    sessionId: p.string().index(),
    consumerId: p.string().index(),
    provider: p.enum([...PROVIDER_NAMES]),
    gpuModel: p.string(),
    /** `adjustment`: the provider's bill minus our metered cost, written by reconciliation (see cost_reconciliations). */
    kind: p.enum(['compute', 'storage', 'adjustment'] as const),
    hourStart: p.datetime().index(),
    costMicros: p.bigint("number"),
  },
  uniques: [{ properties: ['sessionId', 'hourStart', 'kind'] }],
});
export type CostEntryRow = InferEntity<typeof CostEntryEntity>;

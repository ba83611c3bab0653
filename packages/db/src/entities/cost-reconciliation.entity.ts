// Our ledger against the provider's bill for one session over one window.
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { PROVIDER_NAMES } from '@gpu-shopper/domain';

export const CostReconciliationEntity = defineEntity({
  name: 'CostReconciliation',
  tableName: 'cost_reconciliations',
  properties: {
    id: p.integer().primary().autoincrement(),
    sessionId: p.string().index(),
    consumerId: p.string().index(),
    provider: p.enum([...PROVIDER_NAMES]),
    from: p.datetime(),
    to: p.datetime(),
    ledgerMicros: p.bigint("number"),
    providerMicros: p.bigint("number"),
    /** (ledger - provider) / provider; null when the provider billed nothing. */
    differenceRatio: p.double().$type<number>().nullable(),
    /** What this comparison wrote to the ledger as an `adjustment` entry (provider - metered). */
    adjustmentMicros: p.bigint("number").default(0),
    checkedAt: p.datetime(),
  },
});
export type CostReconciliationRow = InferEntity<typeof CostReconciliationEntity>;

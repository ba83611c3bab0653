// A spending limit for one consumer (or everyone), per period.
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { BUDGET_ACTIONS, BUDGET_PERIODS, BUDGET_SETTERS } from '@gpu-shopper/domain';
import { baseProperties } from './base';

export const BudgetEntity = defineEntity({
  name: 'Budget',
  tableName: 'budgets',
  properties: {
    ...baseProperties,
    consumerId: p.string().nullable().index(),
    limitMicros: p.bigint("number"),
    period: p.enum([...BUDGET_PERIODS]),
    thresholdsPercent: p.json<number[]>(),
    webhookUrl: p.text().nullable(),
    action: p.enum([...BUDGET_ACTIONS]),
    /**
     * Who set it: an operator's budget binds its consumer, who may read it but not change or delete
     * it. Unknown (rows from before this column) counts as an operator's: the safe side.
     */
    setBy: p.enum([...BUDGET_SETTERS]).default('operator'),
    updatedAt: p.datetime(),
    version: p.integer().version(),
  },
});
export type BudgetRow = InferEntity<typeof BudgetEntity>;

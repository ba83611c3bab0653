// A spending limit for one consumer (or everyone), per period.
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { BUDGET_ACTIONS, BUDGET_PERIODS } from '@gpu-shopper/domain';
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
    updatedAt: p.datetime(),
    version: p.integer().version(),
  },
});
export type BudgetRow = InferEntity<typeof BudgetEntity>;

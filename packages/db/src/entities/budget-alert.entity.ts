// A budget threshold that fired: at most once per budget, period and threshold.
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const BudgetAlertEntity = defineEntity({
  name: 'BudgetAlert',
  tableName: 'budget_alerts',
  properties: {
    id: p.integer().primary().autoincrement(),
    budgetId: p.string().index(),
    periodStart: p.datetime(),
    thresholdPercent: p.integer(),
    spentMicros: p.bigint("number"),
    firedAt: p.datetime(),
  },
  uniques: [{ properties: ['budgetId', 'periodStart', 'thresholdPercent'] }],
});
export type BudgetAlertRow = InferEntity<typeof BudgetAlertEntity>;

// Budgets as a table: who set it, limit, period, alert thresholds and what happens at 100%.
import type { Budget } from '@gpu-shopper/sdk';
import { consumerLabel, renderTable, type TableView } from '../table';
import { usd } from './values';

export function formatBudgetList(budgets: readonly Budget[], view: TableView = {}): string {
  if (budgets.length === 0) return 'No budgets.';
  return renderTable(
    [
      { header: 'ID', value: (budget: Budget) => budget.id },
      { header: 'CONSUMER', value: (budget) => (budget.consumerId === null ? '(all)' : consumerLabel(view, budget.consumerId)) },
      // An operator's budget binds its consumer, who cannot change or delete it.
      { header: 'SET BY', value: (budget) => budget.setBy },
      { header: 'LIMIT', value: (budget) => usd(budget.limitUsd), align: 'right' },
      { header: 'PERIOD', value: (budget) => budget.period },
      { header: 'THRESHOLDS', value: (budget) => budget.thresholdsPercent.map((value) => `${value}%`).join(',') },
      { header: 'ACTION', value: (budget) => budget.action },
      { header: 'WEBHOOK', value: (budget) => budget.webhookUrl },
    ],
    budgets,
    view,
  );
}

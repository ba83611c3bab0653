// A cost summary: one row per bucket (a table, or a bar chart), then the total; the breakdown by
// provider, GPU or consumer; and the reconciliation of the ledger with providers' bills.
import type { CostSummary, RouterOutputs } from '@gpu-shopper/sdk';
import { consumerLabel, renderTable, type TableView } from '../table';
import { renderBarChart } from './chart';
import { instant, usd } from './values';

/** A bucket start shown at the bucket's own granularity: "2026-01", "2026-01-05", "2026-01-05 13:00 UTC". */
function bucketLabel(start: string, period: CostSummary['period']): string {
  switch (period) {
    case 'month':
      return start.slice(0, 7);
    case 'day':
      return start.slice(0, 10);
    case 'hour':
      return instant(start) ?? start;
    case 'total':
      return 'total';
  }
}

function title(summary: CostSummary): string {
  const range = summary.from === null && summary.to === null ? '' : ` from ${instant(summary.from) ?? 'the start'} to ${instant(summary.to) ?? 'now'}`;
  return `Costs per ${summary.period}${range}`;
}

/** The buckets as horizontal bars scaled to the largest, fitted to `width` columns. */
export function formatCostChart(summary: CostSummary, width: number): string {
  const lines = [title(summary)];
  if (summary.buckets.length === 0) lines.push('No costs in this range.');
  else lines.push(renderBarChart(summary.buckets.map((bucket) => ({ label: bucketLabel(bucket.start, summary.period), value: bucket.costUsd })), { width, formatValue: (value) => usd(value) ?? '' }));
  lines.push(`Total: ${usd(summary.totalUsd)}`);
  return lines.join('\n');
}

export function formatCostSummary(summary: CostSummary, view: TableView = {}): string {
  const lines = [title(summary)];
  if (summary.buckets.length === 0) {
    lines.push('No costs in this range.');
  } else {
    lines.push(renderTable([{ header: 'PERIOD', value: (bucket: CostSummary['buckets'][number]) => bucketLabel(bucket.start, summary.period) }, { header: 'COST', value: (bucket) => usd(bucket.costUsd), align: 'right' }], summary.buckets, view));
  }
  lines.push(`Total: ${usd(summary.totalUsd)}`);
  return lines.join('\n');
}

type CostGroup = NonNullable<CostSummary['groups']>[number];

/** The `--group-by` breakdown: one row per provider, GPU model or consumer, largest first. */
export function formatCostGroups(groupBy: string, groups: readonly CostGroup[], view: TableView = {}): string {
  if (groups.length === 0) return `No costs by ${groupBy}.`;
  const sorted = [...groups].sort((a, b) => b.totalUsd - a.totalUsd || a.key.localeCompare(b.key));
  return renderTable(
    [
      // Consumer groups are keyed by id; the name reads better (sorting stays by amount).
      { header: groupBy.toUpperCase(), value: (group: CostGroup) => (groupBy === 'consumer' ? consumerLabel(view, group.key) : group.key) },
      { header: 'COMPUTE', value: (group) => usd(group.computeUsd), align: 'right' },
      { header: 'STORAGE', value: (group) => usd(group.storageUsd), align: 'right' },
      { header: 'ADJUSTED', value: (group) => usd(group.adjustmentUsd), align: 'right' },
      { header: 'TOTAL', value: (group) => usd(group.totalUsd), align: 'right' },
    ],
    sorted,
    view,
  );
}

export type ReconciliationResult = RouterOutputs['costs']['reconciliation']['results'][number];

/** The ledger against each provider's bill, per session; drifting ones flagged. */
export function formatReconciliation(results: readonly ReconciliationResult[], view: TableView = {}): string {
  if (results.length === 0) return 'No reconciliation results yet.';
  const drifting = results.filter((result) => result.drift).length;
  const table = renderTable(
    [
      { header: 'SESSION', value: (result: ReconciliationResult) => result.sessionId },
      { header: 'PROVIDER', value: (result) => result.provider },
      { header: 'FROM', value: (result) => instant(result.from) },
      { header: 'TO', value: (result) => instant(result.to) },
      { header: 'LEDGER', value: (result) => usd(result.ledgerUsd, 4), align: 'right' },
      { header: 'BILLED', value: (result) => usd(result.providerUsd, 4), align: 'right' },
      { header: 'DIFF', value: (result) => (result.differenceRatio === null ? null : `${(result.differenceRatio * 100).toFixed(1)}%`), align: 'right' },
      { header: 'ADJUSTED', value: (result) => usd(result.adjustmentUsd, 4), align: 'right' },
      { header: 'DRIFT', value: (result) => (result.drift ? 'yes' : 'no'), tone: (result) => (result.drift ? 'bad' : null) },
    ],
    results,
    view,
  );
  return `${table}\n${drifting === 0 ? 'No drift.' : `${drifting} of ${results.length} sessions drift by more than 1%.`}`;
}

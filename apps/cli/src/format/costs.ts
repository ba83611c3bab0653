// A cost summary: one row per bucket, then the total.
import type { CostSummary } from '@gpu-shopper/sdk';
import { renderTable } from '../table';
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

export function formatCostSummary(summary: CostSummary): string {
  const range = summary.from === null && summary.to === null ? '' : ` from ${instant(summary.from) ?? 'the start'} to ${instant(summary.to) ?? 'now'}`;
  const lines = [`Costs per ${summary.period}${range}`];
  if (summary.buckets.length === 0) {
    lines.push('No costs in this range.');
  } else {
    lines.push(renderTable([{ header: 'PERIOD', value: (bucket: CostSummary['buckets'][number]) => bucketLabel(bucket.start, summary.period) }, { header: 'COST', value: (bucket) => usd(bucket.costUsd), align: 'right' }], summary.buckets));
  }
  lines.push(`Total: ${usd(summary.totalUsd)}`);
  return lines.join('\n');
}

// The cost API's answers shaped for the Costs page: spend stacked over time per consumer, provider or
// GPU (at most a few stacks, the rest as "Other"), and reconciliation summed per provider. Sums are
// in integer micro-dollars, as the ledger keeps them, so that columns add up to the cent.
import type { RouterOutputs } from '@gpu-shopper/sdk';

type CostReport = RouterOutputs['costs']['summary'];
type ReconciliationResult = RouterOutputs['costs']['reconciliation']['results'][number];

export interface CostSeries {
  /** A data key safe for the chart library (which reads dots in keys as paths). */
  id: string;
  label: string;
  totalUsd: number;
}

export interface CostRow {
  start: string;
  totalUsd: number;
  /** Spend per series id in this bucket. */
  values: Record<string, number>;
}

export type Period = 'hour' | 'day' | 'month';

export const MAX_STACKS = 6;

const toMicros = (usd: number) => Math.round(usd * 1_000_000);
const toUsd = (micros: number) => micros / 1_000_000;

/** The report's groups as stacks (largest first; past `maxStacks`, one "Other"), one row per bucket. */
export function stackCosts(report: CostReport, labelOf: (key: string) => string, maxStacks = MAX_STACKS): { series: CostSeries[]; rows: CostRow[] } {
  const groups = [...(report.groups ?? [])].sort((a, b) => b.totalUsd - a.totalUsd || a.key.localeCompare(b.key));
  const kept = groups.length > maxStacks ? groups.slice(0, maxStacks - 1) : groups;
  const rest = groups.slice(kept.length);
  const series: CostSeries[] = kept.map((group, index) => ({ id: `s${index}`, label: labelOf(group.key), totalUsd: group.totalUsd }));
  if (rest.length > 0) series.push({ id: 'other', label: `Other (${rest.length})`, totalUsd: toUsd(rest.reduce((sum, group) => sum + toMicros(group.totalUsd), 0)) });

  const rows = new Map<string, Map<string, number>>(report.buckets.map((bucket) => [bucket.start, new Map()]));
  const add = (start: string, id: string, usd: number) => {
    const row = rows.get(start) ?? new Map<string, number>();
    row.set(id, (row.get(id) ?? 0) + toMicros(usd));
    rows.set(start, row);
  };
  kept.forEach((group, index) => group.buckets.forEach((bucket) => add(bucket.start, `s${index}`, bucket.costUsd)));
  for (const group of rest) for (const bucket of group.buckets) add(bucket.start, 'other', bucket.costUsd);

  return {
    series,
    rows: [...rows.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([start, values]) => ({
        start,
        totalUsd: toUsd([...values.values()].reduce((sum, micros) => sum + micros, 0)),
        values: Object.fromEntries(series.map((item) => [item.id, toUsd(values.get(item.id) ?? 0)])),
      })),
  };
}

export interface ProviderReconciliation {
  provider: string;
  sessions: number;
  ledgerUsd: number;
  providerUsd: number;
  /** Ledger minus provider: positive when we metered more than the provider billed. */
  differenceUsd: number;
  /** differenceUsd / providerUsd; null when the provider billed nothing. */
  differenceRatio: number | null;
  /** Sessions more than 1% (and a cent) apart. */
  drifting: number;
}

export function reconciliationByProvider(results: readonly ReconciliationResult[]): ProviderReconciliation[] {
  const byProvider = new Map<string, { sessions: number; ledger: number; provider: number; drifting: number }>();
  for (const result of results) {
    const sum = byProvider.get(result.provider) ?? { sessions: 0, ledger: 0, provider: 0, drifting: 0 };
    sum.sessions += 1;
    sum.ledger += toMicros(result.ledgerUsd);
    sum.provider += toMicros(result.providerUsd);
    if (result.drift) sum.drifting += 1;
    byProvider.set(result.provider, sum);
  }
  return [...byProvider.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([provider, sum]) => ({
      provider,
      sessions: sum.sessions,
      ledgerUsd: toUsd(sum.ledger),
      providerUsd: toUsd(sum.provider),
      differenceUsd: toUsd(sum.ledger - sum.provider),
      differenceRatio: sum.provider === 0 ? null : (sum.ledger - sum.provider) / sum.provider,
      drifting: sum.drifting,
    }));
}

/**
 * The start of the window shown for a period, at a bucket boundary (UTC): the query's input, and so
 * its cache key, stays the same until the next bucket begins.
 */
export function windowStart(period: Period, nowMs: number): string {
  const start = new Date(nowMs);
  if (period === 'hour') {
    start.setUTCMinutes(0, 0, 0);
    start.setUTCHours(start.getUTCHours() - 47);
  } else if (period === 'day') {
    start.setUTCHours(0, 0, 0, 0);
    start.setUTCDate(start.getUTCDate() - 29);
  } else {
    start.setUTCHours(0, 0, 0, 0);
    start.setUTCDate(1);
    start.setUTCMonth(start.getUTCMonth() - 11);
  }
  return start.toISOString();
}

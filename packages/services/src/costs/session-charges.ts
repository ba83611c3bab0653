// What one session has cost, per hour and kind, from its usage marks and its offer's price split. Pure:
// the ledger writes this, the cost queries and reconciliation read the same numbers.
import { hourlyCostMicros, type HourBucket } from './hourly-buckets';
import type { ProviderBillingRule } from './billing-rules';
import { meteredIntervals, meterIntervals, type MeterIntervals, type UsageMark } from './usage-intervals';

export interface SessionPricing {
  computePerHourUsd: number;
  storagePerHourUsd: number;
}

export interface SessionCharges {
  intervals: MeterIntervals;
  compute: HourBucket[];
  storage: HourBucket[];
  computeMicros: number;
  storageMicros: number;
}

/** Sessions written before the price split was stored bill their all-in price as compute. */
export function pricingOf(session: { computePerHourUsd?: number | null; storagePerHourUsd?: number | null; pricePerHourUsd?: number | null }): SessionPricing {
  if (session.computePerHourUsd === null || session.computePerHourUsd === undefined) {
    return { computePerHourUsd: session.pricePerHourUsd ?? 0, storagePerHourUsd: session.storagePerHourUsd ?? 0 };
  }
  return { computePerHourUsd: session.computePerHourUsd, storagePerHourUsd: session.storagePerHourUsd ?? 0 };
}

export function sessionCharges(marks: readonly UsageMark[], untilMs: number, pricing: SessionPricing, rule: ProviderBillingRule): SessionCharges {
  const intervals = meterIntervals(marks, untilMs);
  const compute = hourlyCostMicros(meteredIntervals(intervals.compute, rule.meterTickMs), pricing.computePerHourUsd);
  const storage = hourlyCostMicros(meteredIntervals(intervals.storage, rule.meterTickMs), pricing.storagePerHourUsd);
  const sum = (buckets: HourBucket[]) => buckets.reduce((total, bucket) => total + bucket.costMicros, 0);
  return { intervals, compute, storage, computeMicros: sum(compute), storageMicros: sum(storage) };
}

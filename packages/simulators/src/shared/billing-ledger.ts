// Billing ground truth for a simulated instance: compute per second while running, storage while the
// instance exists (stopped too). Kept as merged rate segments so any window can be priced exactly.

export type ChargeKind = 'compute' | 'storage';

export interface ChargeSegment {
  kind: ChargeKind;
  fromMs: number;
  toMs: number;
  perHourUsd: number;
}

export interface WindowCharges {
  computeUsd: number;
  storageUsd: number;
  computeHours: number;
  storageHours: number;
  totalUsd: number;
}

const MS_PER_HOUR = 3_600_000;

export class BillingLedger {
  readonly segments: ChargeSegment[];

  /** `segments`: a ledger read back from a simulator's state file. */
  constructor(segments: ChargeSegment[] = []) {
    this.segments = segments.map((segment) => ({ ...segment }));
  }

  add(kind: ChargeKind, fromMs: number, toMs: number, perHourUsd: number): void {
    if (toMs <= fromMs || perHourUsd <= 0) return;
    // Contiguous time at the same rate extends the last segment: a tick per request must not grow the ledger.
    for (let index = this.segments.length - 1; index >= 0; index--) {
      const segment = this.segments[index]!;
      if (segment.kind !== kind) continue;
      if (segment.toMs === fromMs && segment.perHourUsd === perHourUsd) {
        segment.toMs = toMs;
        return;
      }
      break;
    }
    this.segments.push({ kind, fromMs, toMs, perHourUsd });
  }

  /** Charges that fall within [fromMs, toMs). Whole seconds are billed, as the real meters do. */
  charges(fromMs = Number.NEGATIVE_INFINITY, toMs = Number.POSITIVE_INFINITY): WindowCharges {
    const result: WindowCharges = { computeUsd: 0, storageUsd: 0, computeHours: 0, storageHours: 0, totalUsd: 0 };
    for (const segment of this.segments) {
      const overlapMs = Math.min(toMs, segment.toMs) - Math.max(fromMs, segment.fromMs);
      if (overlapMs <= 0) continue;
      const hours = Math.floor(overlapMs / 1000) / 3600;
      const usd = hours * segment.perHourUsd;
      if (segment.kind === 'compute') {
        result.computeUsd += usd;
        result.computeHours += hours;
      } else {
        result.storageUsd += usd;
        result.storageHours += hours;
      }
    }
    result.totalUsd = result.computeUsd + result.storageUsd;
    return result;
  }

  /** When the last compute segment ends, or null when compute was never billed. */
  lastComputeMs(): number | null {
    const ends = this.segments.filter((segment) => segment.kind === 'compute').map((segment) => segment.toMs);
    return ends.length === 0 ? null : Math.max(...ends);
  }

  /** First and last instant with any charge, or null. */
  span(): { fromMs: number; toMs: number } | null {
    if (this.segments.length === 0) return null;
    return { fromMs: Math.min(...this.segments.map((s) => s.fromMs)), toMs: Math.max(...this.segments.map((s) => s.toMs)) };
  }
}

export { MS_PER_HOUR };

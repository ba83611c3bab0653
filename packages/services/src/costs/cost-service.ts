// Cost queries over the ledger: totals and buckets per hour, day or month, per consumer or for all,
// grouped by provider, GPU model or consumer on request (each group with its own buckets, for charts
// stacked over time), and one session's cost so far.
import type { EntityManager } from '@gpu-shopper/db';
import type { Caller, Clock, CostPeriod, CostSummary } from '@gpu-shopper/domain';
import { bucketStart, ForbiddenError, microsToUsd, NotFoundError, ValidationError } from '@gpu-shopper/domain';
import { CostEntryEntity, SessionEntity, type CostEntryRow } from '@gpu-shopper/db';
import { scopeOf } from '../caller';
import { consumerIdByName } from '../consumers';
import { LedgerService } from './ledger';
import { ReconciliationService, type ReconciliationResult } from './reconciliation';
import { pricingOf } from './session-charges';

export const COST_GROUPINGS = ['provider', 'gpu', 'consumer'] as const;
export type CostGrouping = (typeof COST_GROUPINGS)[number];

export interface CostQuery {
  /** A consumer's name; operators only (a consumer always sees its own). */
  consumer?: string;
  period: CostPeriod;
  from?: Date;
  to?: Date;
  groupBy?: CostGrouping;
}

export interface CostGroup {
  /** The provider, GPU model or consumer id. */
  key: string;
  totalUsd: number;
  computeUsd: number;
  storageUsd: number;
  adjustmentUsd: number;
  /** This group's spend per period bucket: the stacks of a chart over time. */
  buckets: { start: string; costUsd: number }[];
}

export interface CostReport extends CostSummary {
  /** The ledger was brought up to this instant before answering; null when it was read as stored. */
  accruedAt: string | null;
  groupBy?: CostGrouping;
  groups?: CostGroup[];
}

export interface SessionCost {
  sessionId: string;
  consumerId: string;
  provider: string | null;
  gpuModel: string | null;
  state: string;
  computePerHourUsd: number;
  storagePerHourUsd: number;
  computeUsd: number;
  storageUsd: number;
  /** Reconciliation's true-up to the provider's final bill. */
  adjustmentUsd: number;
  totalUsd: number;
  accruedAt: string | null;
  hours: { start: string; computeUsd: number; storageUsd: number }[];
}

export interface CostServiceOptions {
  /** With a clock, queries accrue the ledger up to its now first, so costs are real time. */
  clock?: Clock;
  /** Default: a ledger with the providers' standard billing rules. */
  ledger?: LedgerService;
}

export class CostService {
  constructor(
    private readonly em: EntityManager,
    private readonly options: CostServiceOptions = {},
  ) {}

  async summarize(caller: Caller, query: CostQuery): Promise<CostReport> {
    if (query.from !== undefined && query.to !== undefined && query.from > query.to) throw new ValidationError('from', 'must not be after "to"');
    const consumerId = await this.consumerIdFor(caller, query.consumer);
    const accruedAt = await this.accrue(consumerId === null ? {} : { consumerId });
    const where: Record<string, unknown> = {};
    if (consumerId !== null) where.consumerId = consumerId;
    const hourStart: Record<string, Date> = {};
    if (query.from !== undefined) hourStart.$gte = bucketStart(query.from, 'hour');
    if (query.to !== undefined) hourStart.$lt = query.to;
    if (Object.keys(hourStart).length > 0) where.hourStart = hourStart;
    const entries = await this.em.find(CostEntryEntity, where, { orderBy: { hourStart: 'asc' } });

    const totalMicros = entries.reduce((sum, entry) => sum + entry.costMicros, 0);
    const report: CostReport = {
      consumerId,
      period: query.period,
      from: query.from?.toISOString() ?? null,
      to: query.to?.toISOString() ?? null,
      totalUsd: microsToUsd(totalMicros),
      buckets: bucketsOf(entries, query.period),
      accruedAt,
    };
    if (query.groupBy !== undefined) {
      report.groupBy = query.groupBy;
      report.groups = groupEntries(entries, query.groupBy, query.period);
    }
    return report;
  }

  /** One session's cost so far, split into compute and storage; a consumer sees only its own sessions. */
  async sessionCost(caller: Caller, sessionId: string): Promise<SessionCost> {
    const scope = scopeOf(caller);
    const session = await this.em.findOne(SessionEntity, scope === null ? { id: sessionId } : { id: sessionId, consumerId: scope });
    if (session === null) throw new NotFoundError('session', sessionId);
    const accruedAt = await this.accrue({ sessionId });
    const entries = await this.em.find(CostEntryEntity, { sessionId }, { orderBy: { hourStart: 'asc' } });
    const hours = new Map<number, { computeMicros: number; storageMicros: number }>();
    let computeMicros = 0;
    let storageMicros = 0;
    let adjustmentMicros = 0;
    for (const entry of entries) {
      if (entry.kind === 'adjustment') {
        adjustmentMicros += entry.costMicros;
        continue;
      }
      const hour = hours.get(entry.hourStart.getTime()) ?? { computeMicros: 0, storageMicros: 0 };
      if (entry.kind === 'compute') {
        hour.computeMicros += entry.costMicros;
        computeMicros += entry.costMicros;
      } else {
        hour.storageMicros += entry.costMicros;
        storageMicros += entry.costMicros;
      }
      hours.set(entry.hourStart.getTime(), hour);
    }
    const pricing = pricingOf(session);
    return {
      sessionId: session.id,
      consumerId: session.consumerId,
      provider: session.provider ?? null,
      gpuModel: session.gpuModel ?? null,
      state: session.state,
      computePerHourUsd: pricing.computePerHourUsd,
      storagePerHourUsd: pricing.storagePerHourUsd,
      computeUsd: microsToUsd(computeMicros),
      storageUsd: microsToUsd(storageMicros),
      adjustmentUsd: microsToUsd(adjustmentMicros),
      totalUsd: microsToUsd(computeMicros + storageMicros + adjustmentMicros),
      accruedAt,
      hours: [...hours.entries()].map(([start, hour]) => ({ start: new Date(start).toISOString(), computeUsd: microsToUsd(hour.computeMicros), storageUsd: microsToUsd(hour.storageMicros) })),
    };
  }

  /** The latest ledger-versus-provider comparison per session (operators: all; consumers: their own). */
  reconciliation(caller: Caller): Promise<ReconciliationResult[]> {
    return new ReconciliationService({ ledger: this.options.ledger }).latest(this.em, caller);
  }

  private async accrue(scope: { consumerId?: string; sessionId?: string }): Promise<string | null> {
    const { clock } = this.options;
    if (clock === undefined) return null;
    const now = clock.now();
    await (this.options.ledger ?? new LedgerService()).accrue(this.em, now, scope);
    return now.toISOString();
  }

  private async consumerIdFor(caller: Caller, consumerName: string | undefined): Promise<string | null> {
    const scope = scopeOf(caller);
    if (scope === null) return consumerName === undefined ? null : consumerIdByName(this.em, consumerName);
    if (consumerName !== undefined && caller.role === 'consumer' && consumerName !== caller.consumerName) {
      throw new ForbiddenError('a consumer key can only read its own costs');
    }
    return scope;
  }
}

/** Spend per period bucket, in the entries' (ascending) order. */
function bucketsOf(entries: readonly CostEntryRow[], period: CostPeriod): { start: string; costUsd: number }[] {
  const bucketMicros = new Map<number, number>();
  for (const entry of entries) {
    const start = bucketStart(entry.hourStart, period).getTime();
    bucketMicros.set(start, (bucketMicros.get(start) ?? 0) + entry.costMicros);
  }
  return [...bucketMicros.entries()].map(([start, micros]) => ({ start: new Date(start).toISOString(), costUsd: microsToUsd(micros) }));
}

function groupEntries(entries: readonly CostEntryRow[], groupBy: CostGrouping, period: CostPeriod): CostGroup[] {
  const groups = new Map<string, CostEntryRow[]>();
  for (const entry of entries) {
    const key = groupBy === 'provider' ? entry.provider : groupBy === 'gpu' ? entry.gpuModel : entry.consumerId;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [entry]);
    else group.push(entry);
  }
  return [...groups.entries()]
    .map(([key, rows]) => {
      const micros: Record<CostEntryRow['kind'], number> = { compute: 0, storage: 0, adjustment: 0 };
      for (const entry of rows) micros[entry.kind] += entry.costMicros;
      return {
        key,
        totalUsd: microsToUsd(micros.compute + micros.storage + micros.adjustment),
        computeUsd: microsToUsd(micros.compute),
        storageUsd: microsToUsd(micros.storage),
        adjustmentUsd: microsToUsd(micros.adjustment),
        buckets: bucketsOf(rows, period),
      };
    })
    .sort((a, b) => b.totalUsd - a.totalUsd || a.key.localeCompare(b.key));
}

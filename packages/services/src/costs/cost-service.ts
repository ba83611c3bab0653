// Cost queries over the ledger: totals and buckets per hour, day or month, per consumer or for all.
import type { EntityManager } from '@mikro-orm/sqlite';
import type { Caller, CostPeriod, CostSummary } from '@gpu-shopper/domain';
import { bucketStart, ForbiddenError, microsToUsd, ValidationError } from '@gpu-shopper/domain';
import { CostEntryEntity } from '@gpu-shopper/db';
import { scopeOf } from '../caller';
import { consumerIdByName } from '../consumers';

export interface CostQuery {
  /** A consumer's name; operators only (a consumer always sees its own). */
  consumer?: string;
  period: CostPeriod;
  from?: Date;
  to?: Date;
}

export class CostService {
  constructor(private readonly em: EntityManager) {}

  async summarize(caller: Caller, query: CostQuery): Promise<CostSummary> {
    if (query.from !== undefined && query.to !== undefined && query.from > query.to) throw new ValidationError('from', 'must not be after "to"');
    const consumerId = await this.consumerIdFor(caller, query.consumer);
    const where: Record<string, unknown> = {};
    if (consumerId !== null) where.consumerId = consumerId;
    const hourStart: Record<string, Date> = {};
    if (query.from !== undefined) hourStart.$gte = bucketStart(query.from, 'hour');
    if (query.to !== undefined) hourStart.$lt = query.to;
    if (Object.keys(hourStart).length > 0) where.hourStart = hourStart;
    const entries = await this.em.find(CostEntryEntity, where, { orderBy: { hourStart: 'asc' } });

    const bucketMicros = new Map<number, number>();
    let totalMicros = 0;
    for (const entry of entries) {
      const start = bucketStart(entry.hourStart, query.period).getTime();
      bucketMicros.set(start, (bucketMicros.get(start) ?? 0) + entry.costMicros);
      totalMicros += entry.costMicros;
    }
    return {
      consumerId,
      period: query.period,
      from: query.from?.toISOString() ?? null,
      to: query.to?.toISOString() ?? null,
      totalUsd: microsToUsd(totalMicros),
      buckets: [...bucketMicros.entries()].map(([start, micros]) => ({ start: new Date(start).toISOString(), costUsd: microsToUsd(micros) })),
    };
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

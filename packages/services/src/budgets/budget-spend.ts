// How much of a budget is used: ledger spend in the current period, and spend already committed by live
// sessions' reservations that the ledger has not accrued yet.
import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@gpu-shopper/db';
import type { BudgetPeriod } from '@gpu-shopper/domain';
import { bucketStart, costMicrosFor } from '@gpu-shopper/domain';
import { CostEntryEntity, SessionEntity, type SessionRow } from '@gpu-shopper/db';
import { pricingOf } from '../costs/session-charges';

/** Budgets count from the start of the UTC day or month they are in; `total` from the beginning. */
export function budgetPeriodStart(period: BudgetPeriod, now: Date): Date {
  return bucketStart(now, period);
}

/** The ledger's spend since `since`, for one consumer or (null) everyone. */
export async function ledgerSpendMicros(em: EntityManager, consumerId: string | null, since: Date): Promise<number> {
  const where: Record<string, unknown> = { hourStart: { $gte: since } };
  if (consumerId !== null) where.consumerId = consumerId;
  const rows = await em.createQueryBuilder(CostEntryEntity).select(raw('coalesce(sum(cost_micros), 0) as spent_micros')).where(where).execute<{ spent_micros: number | null }[]>('all', false);
  return Number(rows[0]?.spent_micros ?? 0);
}

/** Sessions that hold (or are about to hold) a reservation: their remaining hours are committed spend. */
export const RESERVING_STATES = ['provisioning', 'ready'] as const;

/** What live sessions will still cost until their reservations end: price × remaining reserved time. */
export async function reservedMicros(em: EntityManager, consumerId: string | null, now: Date): Promise<number> {
  const where: Record<string, unknown> = { state: { $in: [...RESERVING_STATES] }, reservationEndsAt: { $gt: now } };
  if (consumerId !== null) where.consumerId = consumerId;
  const sessions = await em.find(SessionEntity, where, { fields: ['id', 'pricePerHourUsd', 'computePerHourUsd', 'storagePerHourUsd', 'reservationEndsAt'] });
  return sessions.reduce((sum, session) => sum + remainingReservationMicros(session, now), 0);
}

export function remainingReservationMicros(session: Pick<SessionRow, 'pricePerHourUsd' | 'computePerHourUsd' | 'storagePerHourUsd' | 'reservationEndsAt'>, now: Date): number {
  const pricing = pricingOf(session);
  const remainingMs = Math.max(0, session.reservationEndsAt.getTime() - now.getTime());
  return costMicrosFor(pricing.computePerHourUsd + pricing.storagePerHourUsd, remainingMs);
}

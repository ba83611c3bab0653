// Refuses new provisioning that a blocking budget cannot cover, race-free: checks and the session insert
// run under a per-consumer lock (and a global one when a global budget applies), so concurrent requests
// each see the reservations the others committed.
import type { EntityManager } from '@gpu-shopper/db';
import type { Clock } from '@gpu-shopper/domain';
import { BudgetExceededError, costMicrosFor, microsToUsd, MS_PER_HOUR } from '@gpu-shopper/domain';
import { BudgetEntity, type BudgetRow, type DatabaseLocks } from '@gpu-shopper/db';
import type { LedgerService } from '../costs/ledger';
import { budgetPeriodStart, ledgerSpendMicros, reservedMicros } from './budget-spend';
import { KeyedMutex } from './keyed-mutex';

/** Budgets whose limit is a hard stop for new sessions. */
export const BLOCKING_ACTIONS = ['block', 'shutdown'] as const;

const GLOBAL_KEY = '\u0000global';

/** What a new session may cost over its whole reservation: the all-in price × reserved hours. */
export function projectedReservationMicros(pricePerHourUsd: number, reservationHours: number): number {
  return costMicrosFor(pricePerHourUsd, reservationHours * MS_PER_HOUR);
}

export interface BudgetGuardOptions {
  clock: Clock;
  /** When given, the consumer's ledger is accrued up to now before checking, so running time counts. */
  ledger?: LedgerService;
  /**
   * Several replicas on one database: the same per-consumer (and global) serialization, held in the
   * database, so requests on different replicas cannot overshoot a budget together either.
   */
  databaseLocks?: DatabaseLocks;
}

export interface BudgetHeadroom {
  budgetId: string;
  limitMicros: number;
  /** Ledger spend in the period plus live sessions' unaccrued reserved time. */
  committedMicros: number;
  remainingMicros: number;
}

export class BudgetGuard {
  private readonly locks = new KeyedMutex();

  constructor(private readonly options: BudgetGuardOptions) {}

  /**
   * Runs `fn` (which must insert and flush the new session row, priced and with its reservation) only if
   * every blocking budget of the consumer, and every global one, can still cover `projectedMicros`.
   * In memory, one guard per process; with `databaseLocks`, across replicas too.
   */
  async withinBudget<T>(consumerId: string, projectedMicros: number, em: EntityManager, fn: () => Promise<T>): Promise<T> {
    return this.locks.run(consumerId, async () => {
      const budgets = await em.find(BudgetEntity, { $or: [{ consumerId }, { consumerId: null }], action: { $in: [...BLOCKING_ACTIONS] } });
      const global = budgets.some((budget) => budget.consumerId === null || budget.consumerId === undefined);
      const checked = async () => {
        await this.assertCovered(em, consumerId, budgets, projectedMicros);
        return fn();
      };
      // Lock order is always consumer, then global: no two callers can wait on each other.
      const databaseLocks = this.options.databaseLocks;
      const locked = databaseLocks === undefined ? checked : () => databaseLocks.withLocks(global ? [`budget:${consumerId}`, 'budget:global'] : [`budget:${consumerId}`], checked);
      return global ? this.locks.run(GLOBAL_KEY, locked) : locked();
    });
  }

  /**
   * `alert` budgets (and blocking ones are checked by `withinBudget`) that `projectedMicros` more would
   * take past their limit: the change goes through, operators and the consumer hear about it.
   */
  async alertBudgetsExceeded(em: EntityManager, consumerId: string, projectedMicros: number): Promise<(BudgetHeadroom & { period: string; global: boolean })[]> {
    const budgets = await em.find(BudgetEntity, { $or: [{ consumerId }, { consumerId: null }], action: 'alert' });
    const exceeded = [];
    for (const budget of budgets) {
      const headroom = await this.headroomOf(em, budget);
      if (projectedMicros > headroom.remainingMicros) exceeded.push({ ...headroom, period: budget.period, global: (budget.consumerId ?? null) === null });
    }
    return exceeded;
  }

  /** Headroom of each blocking budget that applies to the consumer (no lock: a snapshot for display). */
  async headroom(em: EntityManager, consumerId: string): Promise<BudgetHeadroom[]> {
    const budgets = await em.find(BudgetEntity, { $or: [{ consumerId }, { consumerId: null }], action: { $in: [...BLOCKING_ACTIONS] } });
    return Promise.all(budgets.map((budget) => this.headroomOf(em, budget)));
  }

  private async assertCovered(em: EntityManager, consumerId: string, budgets: readonly BudgetRow[], projectedMicros: number): Promise<void> {
    if (budgets.length === 0) return;
    const now = this.options.clock.now();
    if (this.options.ledger !== undefined) {
      const global = budgets.some((budget) => (budget.consumerId ?? null) === null);
      await this.options.ledger.accrue(em, now, global ? {} : { consumerId });
    }
    for (const budget of budgets) {
      const headroom = await this.headroomOf(em, budget, now);
      if (projectedMicros > headroom.remainingMicros) {
        const scope = (budget.consumerId ?? null) === null ? 'the global' : 'your';
        throw new BudgetExceededError(
          `${scope} ${budget.period} budget ${budget.id} of $${microsToUsd(budget.limitMicros).toFixed(2)} has $${microsToUsd(Math.max(0, headroom.remainingMicros)).toFixed(2)} left; ` +
            `this reservation may cost up to $${microsToUsd(projectedMicros).toFixed(2)}`,
        );
      }
    }
  }

  private async headroomOf(em: EntityManager, budget: BudgetRow, now = this.options.clock.now()): Promise<BudgetHeadroom> {
    const consumerId = budget.consumerId ?? null;
    const spent = await ledgerSpendMicros(em, consumerId, budgetPeriodStart(budget.period, now));
    const committedMicros = spent + (await reservedMicros(em, consumerId, now));
    return { budgetId: budget.id, limitMicros: budget.limitMicros, committedMicros, remainingMicros: budget.limitMicros - committedMicros };
  }
}

// The scheduled budget check: compares each budget's spend in its period with its thresholds, fires each
// threshold once per period (webhook + BudgetAlert row), and at 100% applies the budget's action.
import type { EntityManager } from '@gpu-shopper/db';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { microsToUsd } from '@gpu-shopper/domain';
import { AlertEntity, BudgetAlertEntity, BudgetEntity, SessionEntity, type BudgetRow } from '@gpu-shopper/db';
import type { LedgerService } from '../costs/ledger';
import { newId } from '../ids';
import type { WebhookNotifier } from '../webhooks/webhook-notifier';
import { budgetPeriodStart, ledgerSpendMicros, RESERVING_STATES } from './budget-spend';

/** Ends a consumer's running sessions gracefully (the lifecycle's shutdown path); must be idempotent. */
export type EndSessions = (consumerId: string, reason: string) => Promise<void>;

export interface BudgetEnforcerOptions {
  notifier: WebhookNotifier;
  endSessions: EndSessions;
  /** When given, the ledger is accrued up to `now` before spend is read. */
  ledger?: LedgerService;
}

export interface BudgetCheck {
  budgetId: string;
  consumerId: string | null;
  periodStart: string;
  limitUsd: number;
  spentUsd: number;
  percentUsed: number;
  /** Thresholds that fired in this check (each fires once per period). */
  fired: number[];
  /** Consumers whose sessions were ended by a `shutdown` budget in this check. */
  shutDown: string[];
}

export class BudgetEnforcer {
  constructor(private readonly options: BudgetEnforcerOptions) {}

  async check(em: EntityManager, now: Date): Promise<BudgetCheck[]> {
    if (this.options.ledger !== undefined) await this.options.ledger.accrue(em, now);
    const budgets = await em.find(BudgetEntity, {}, { orderBy: { createdAt: 'asc', id: 'asc' } });
    const checks: BudgetCheck[] = [];
    for (const budget of budgets) checks.push(await this.checkOne(em, budget, now));
    return checks;
  }

  private async checkOne(em: EntityManager, budget: BudgetRow, now: Date): Promise<BudgetCheck> {
    const consumerId = budget.consumerId ?? null;
    const periodStart = budgetPeriodStart(budget.period, now);
    const spentMicros = await ledgerSpendMicros(em, consumerId, periodStart);
    const check: BudgetCheck = {
      budgetId: budget.id,
      consumerId,
      periodStart: periodStart.toISOString(),
      limitUsd: microsToUsd(budget.limitMicros),
      spentUsd: microsToUsd(spentMicros),
      percentUsed: Math.round((spentMicros / budget.limitMicros) * 10_000) / 100,
      fired: [],
      shutDown: [],
    };
    for (const thresholdPercent of budget.thresholdsPercent) {
      // Integer comparison: spent/limit >= t% without float rounding at the boundary.
      if (spentMicros * 100 < budget.limitMicros * thresholdPercent) continue;
      if (await this.fireOnce(em, budget, periodStart, thresholdPercent, spentMicros, now)) check.fired.push(thresholdPercent);
    }
    if (spentMicros >= budget.limitMicros && budget.action === 'shutdown') check.shutDown = await this.shutDown(em, consumerId, budget);
    return check;
  }

  /**
   * Inserts the (budget, period, threshold) row first: only the check that wins the insert notifies.
   * The row, the alert and the webhook (outbox) commit in one transaction: all or nothing.
   */
  private async fireOnce(em: EntityManager, budget: BudgetRow, periodStart: Date, thresholdPercent: number, spentMicros: number, now: Date): Promise<boolean> {
    const consumerId = budget.consumerId ?? null;
    const payload = {
      budgetId: budget.id,
      consumerId,
      period: budget.period,
      periodStart: periodStart.toISOString(),
      thresholdPercent,
      limitUsd: microsToUsd(budget.limitMicros),
      spentUsd: microsToUsd(spentMicros),
      action: budget.action,
    };
    try {
      await em.transactional(async (tx) => {
        await tx.insert(BudgetAlertEntity, { budgetId: budget.id, periodStart, thresholdPercent, spentMicros, firedAt: now });
        if (thresholdPercent >= 100) {
          tx.create(AlertEntity, {
            id: newId('alr'),
            createdAt: now,
            kind: 'budget',
            message: `${consumerId === null ? 'global' : `consumer ${consumerId}`} ${budget.period} budget ${budget.id} reached: $${payload.spentUsd.toFixed(2)} of $${payload.limitUsd.toFixed(2)} (action: ${budget.action})`,
            sessionId: null,
            consumerId,
            provider: null,
            instanceId: null,
            resolvedAt: null,
            detail: payload,
          });
        }
        await this.options.notifier.notify('budget.threshold', consumerId, payload, { url: budget.webhookUrl ?? undefined, em: tx });
      });
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) return false;
      throw error;
    }
    return true;
  }

  /** Ends the live sessions the budget covers; repeated while over the limit, so late starters end too. */
  private async shutDown(em: EntityManager, consumerId: string | null, budget: BudgetRow): Promise<string[]> {
    const where: Record<string, unknown> = { state: { $in: [...RESERVING_STATES] } };
    if (consumerId !== null) where.consumerId = consumerId;
    const live = await em.find(SessionEntity, where, { fields: ['id', 'consumerId'] });
    const consumers = [...new Set(live.map((session) => session.consumerId))].sort();
    for (const id of consumers) await this.options.endSessions(id, `${budget.period} budget ${budget.id} reached its limit`);
    return consumers;
  }
}

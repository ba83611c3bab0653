// Budgets: consumers set their own; operators set anyone's, or a global one. A budget an operator
// set binds its consumer: the consumer reads it but only an operator changes or deletes it.
import type { EntityManager } from '@gpu-shopper/db';
import type { Budget, BudgetAction, BudgetPeriod, BudgetSetter, Caller, Clock } from '@gpu-shopper/domain';
import { ForbiddenError, microsToUsd, NotFoundError, usdToMicros, ValidationError } from '@gpu-shopper/domain';
import { BudgetEntity, type BudgetRow } from '@gpu-shopper/db';
import { recordOperatorAction } from '../audit/audit-log';
import { scopeOf } from '../caller';
import { consumerIdByName } from '../consumers';
import { newId } from '../ids';
import { LedgerService } from '../costs/ledger';
import { budgetPeriodStart, ledgerSpendMicros, reservedMicros } from './budget-spend';

export interface NewBudget {
  /** A consumer's name; omitted: the caller's own (consumers) or a global budget (operators). */
  consumer?: string;
  limitUsd: number;
  period: BudgetPeriod;
  thresholdsPercent?: number[];
  webhookUrl?: string;
  action?: BudgetAction;
}

export const DEFAULT_THRESHOLDS_PERCENT = [50, 80, 100];

export interface BudgetStatus extends Budget {
  periodStart: string;
  /** The ledger's spend in the current period, accrued up to now. */
  spentUsd: number;
  /** What live sessions' remaining reserved hours will cost (counted by blocking budgets). */
  reservedUsd: number;
  remainingUsd: number;
  percentUsed: number;
}

export class BudgetService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
  ) {}

  /**
   * Creates the budget, or updates the one already set for the same consumer (or the global one)
   * and period: one budget per scope and period, never a duplicate. On an update, options left out
   * keep their values. A consumer cannot overwrite an operator's budget this way either.
   */
  async set(caller: Caller, input: NewBudget): Promise<{ budget: Budget; created: boolean }> {
    const consumerId = await this.targetConsumer(caller, input.consumer);
    if (input.webhookUrl !== undefined) assertWebhookUrl(input.webhookUrl);
    const setBy: BudgetSetter = caller.role === 'admin' ? 'operator' : 'consumer';
    const now = this.clock.now();
    const thresholdsPercent = input.thresholdsPercent === undefined ? undefined : [...input.thresholdsPercent].sort((a, b) => a - b);
    // Oldest first: where an earlier version left duplicates, the oldest is the one kept up to date.
    const existing = await this.em.find(BudgetEntity, { consumerId, period: input.period }, { orderBy: { createdAt: 'asc', id: 'asc' } });
    const imposed = existing.find((row) => row.setBy === 'operator');
    if (setBy === 'consumer' && imposed !== undefined) throw operatorOwned(imposed, 'change');
    let row = existing[0];
    const created = row === undefined;
    if (row === undefined) {
      row = this.em.create(BudgetEntity, {
        id: newId('bud'),
        consumerId,
        limitMicros: usdToMicros(input.limitUsd),
        period: input.period,
        thresholdsPercent: thresholdsPercent ?? DEFAULT_THRESHOLDS_PERCENT,
        webhookUrl: input.webhookUrl ?? null,
        action: input.action ?? 'alert',
        setBy,
        createdAt: now,
        updatedAt: now,
      });
    } else {
      row.limitMicros = usdToMicros(input.limitUsd);
      if (thresholdsPercent !== undefined) row.thresholdsPercent = thresholdsPercent;
      if (input.webhookUrl !== undefined) row.webhookUrl = input.webhookUrl;
      if (input.action !== undefined) row.action = input.action;
      // An operator who sets a consumer's budget imposes it, whoever set it first.
      row.setBy = setBy;
      row.updatedAt = now;
    }
    recordOperatorAction(this.em, this.clock, caller, 'budget.set', row.id, { consumerId, period: row.period, limitUsd: input.limitUsd, action: row.action, created });
    await this.em.flush();
    return { budget: toBudget(row), created };
  }

  async list(caller: Caller): Promise<Budget[]> {
    const scope = scopeOf(caller);
    const rows = await this.em.find(BudgetEntity, scope === null ? {} : { consumerId: scope }, { orderBy: { createdAt: 'asc', id: 'asc' } });
    return rows.map(toBudget);
  }

  /** Each visible budget with its spend in the current period (real time: the ledger is accrued first). */
  async status(caller: Caller): Promise<BudgetStatus[]> {
    const scope = scopeOf(caller);
    const now = this.clock.now();
    await new LedgerService().accrue(this.em, now, scope === null ? {} : { consumerId: scope });
    const rows = await this.em.find(BudgetEntity, scope === null ? {} : { consumerId: scope }, { orderBy: { createdAt: 'asc', id: 'asc' } });
    const statuses: BudgetStatus[] = [];
    // One query at a time: the request's entity manager is not meant for parallel use.
    for (const row of rows) {
      const consumerId = row.consumerId ?? null;
      const periodStart = budgetPeriodStart(row.period, now);
      const spentMicros = await ledgerSpendMicros(this.em, consumerId, periodStart);
      const reserved = await reservedMicros(this.em, consumerId, now);
      statuses.push({
        ...toBudget(row),
        periodStart: periodStart.toISOString(),
        spentUsd: microsToUsd(spentMicros),
        reservedUsd: microsToUsd(reserved),
        remainingUsd: microsToUsd(row.limitMicros - spentMicros - reserved),
        percentUsed: Math.round((spentMicros / row.limitMicros) * 10_000) / 100,
      });
    }
    return statuses;
  }

  async delete(caller: Caller, id: string): Promise<Budget> {
    const scope = scopeOf(caller);
    const row = await this.em.findOne(BudgetEntity, scope === null ? { id } : { id, consumerId: scope });
    if (row === null) throw new NotFoundError('budget', id);
    if (caller.role !== 'admin' && row.setBy === 'operator') throw operatorOwned(row, 'delete');
    const budget = toBudget(row);
    this.em.remove(row);
    recordOperatorAction(this.em, this.clock, caller, 'budget.deleted', row.id, { consumerId: budget.consumerId, period: budget.period, limitUsd: budget.limitUsd, setBy: budget.setBy });
    await this.em.flush();
    return budget;
  }

  private async targetConsumer(caller: Caller, consumerName: string | undefined): Promise<string | null> {
    if (caller.role === 'admin') return consumerName === undefined ? null : consumerIdByName(this.em, consumerName);
    if (consumerName !== undefined && consumerName !== caller.consumerName) throw new ForbiddenError('a consumer key can only set its own budgets');
    return caller.consumerId;
  }
}

function operatorOwned(row: BudgetRow, verb: 'change' | 'delete'): ForbiddenError {
  return new ForbiddenError(`budget ${row.id} (${row.period}) was set by an operator: a consumer key can read it but cannot ${verb} it; ask an operator`);
}

/** Webhooks go to https endpoints (plain http only to this machine, for development). */
export function assertWebhookUrl(raw: string): void {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ValidationError('webhookUrl', 'is not a URL');
  }
  const local = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) throw new ValidationError('webhookUrl', 'must be an https:// URL');
  if (url.username !== '' || url.password !== '') throw new ValidationError('webhookUrl', 'must not carry credentials');
}

function toBudget(row: BudgetRow): Budget {
  return {
    id: row.id,
    consumerId: row.consumerId ?? null,
    limitUsd: microsToUsd(row.limitMicros),
    period: row.period,
    thresholdsPercent: row.thresholdsPercent,
    webhookUrl: row.webhookUrl ?? null,
    action: row.action,
    setBy: row.setBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

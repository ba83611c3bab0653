// Checks our ledger against what each provider says it billed, per session over the session's lifetime;
// stores every comparison, and raises a cost_drift alert and webhook when they differ by more than 1%.
import type { EntityManager } from '@gpu-shopper/db';
import type { Caller, ProviderName } from '@gpu-shopper/domain';
import { bucketStart, isTerminal, microsToUsd, usdToMicros } from '@gpu-shopper/domain';
import { AlertEntity, CostEntryEntity, CostReconciliationEntity, ProvisionAttemptEntity, SessionEntity, type CostReconciliationRow, type SessionRow, type UsageEventRow } from '@gpu-shopper/db';
import type { ProviderAdapter } from '@gpu-shopper/providers';
import { scopeOf } from '../caller';
import { newId } from '../ids';
import { noWebhooks, type WebhookNotifier } from '../webhooks/webhook-notifier';
import { inChunks, LedgerService, loadUsage, UNKNOWN_GPU_MODEL } from './ledger';
import { meterIntervals } from './usage-intervals';

/** A ledger this close to the bill (rounding of per-hour entries) is settled. */
const SETTLED_WITHIN_MICROS = 1;

export interface ReconciliationOptions {
  ledger?: LedgerService;
  notifier?: WebhookNotifier;
  /** |ledger - provider| / provider above this is drift. Default 1%. */
  driftRatio?: number;
  /**
   * Differences smaller than this never alert: early in a session a few seconds between the provider's
   * meter and our observation of "running" are a large ratio of a small amount. Default $0.01.
   */
  minDriftMicros?: number;
  /** An ended session the provider has not billed, or bills differently, is compared again for this long. Default 7 days. */
  recheckAfterEndMs?: number;
}

export interface ReconciliationResult {
  sessionId: string;
  consumerId: string;
  provider: ProviderName;
  from: string;
  to: string;
  /** What we metered from our observations (before any adjustment). */
  ledgerUsd: number;
  providerUsd: number;
  /** What was added to the ledger to match the provider's final bill (0 while the session runs). */
  adjustmentUsd: number;
  /** (ledger - provider) / provider; null when the provider billed nothing. */
  differenceRatio: number | null;
  drift: boolean;
  checkedAt: string;
}

export interface ReconciliationRun {
  results: ReconciliationResult[];
  /** Providers whose billing could not be read this time (they are retried on the next run). */
  failures: { provider: ProviderName; message: string }[];
}

interface Candidate {
  sessionId: string;
  consumerId: string;
  provider: ProviderName;
  /** The session's current (or last) instance. */
  instanceId: string;
  /** Every instance the session ever had (failover attempts included): the provider bills them all. */
  instanceIds: string[];
  fromMs: number;
  toMs: number;
  /** The session ended and its instances are gone: the provider's bill is final, and the ledger is trued up to it. */
  final: boolean;
}

export class ReconciliationService {
  private readonly ledger: LedgerService;
  private readonly notifier: WebhookNotifier;
  private readonly driftRatio: number;
  private readonly minDriftMicros: number;
  private readonly recheckAfterEndMs: number;

  constructor(options: ReconciliationOptions = {}) {
    this.ledger = options.ledger ?? new LedgerService();
    this.notifier = options.notifier ?? noWebhooks;
    this.driftRatio = options.driftRatio ?? 0.01;
    this.minDriftMicros = options.minDriftMicros ?? 10_000;
    this.recheckAfterEndMs = options.recheckAfterEndMs ?? 7 * 24 * 3_600_000;
  }

  /** Reconciles every session not yet finally reconciled, for the providers whose adapter reads billing. */
  async run(em: EntityManager, adapters: readonly ProviderAdapter[], now: Date): Promise<ReconciliationRun> {
    const billing = new Map(adapters.filter((adapter) => adapter.describeBilling !== undefined).map((adapter) => [adapter.name, adapter]));
    const run: ReconciliationRun = { results: [], failures: [] };
    if (billing.size === 0) return run;
    await this.ledger.accrue(em, now);
    const candidates = await this.candidates(em, now, new Set(billing.keys()));

    for (const [provider, adapter] of billing) {
      const mine = candidates.filter((candidate) => candidate.provider === provider);
      if (mine.length === 0) continue;
      // One window covering every session: each charge row is one instance's total over its own lifetime within it.
      const fromMs = Math.min(...mine.map((candidate) => candidate.fromMs));
      let providerMicros: Map<string, number>;
      try {
        const charges = await adapter.describeBilling!(
          [...new Set(mine.flatMap((candidate) => candidate.instanceIds))],
          new Date(fromMs),
          now,
        );
        providerMicros = new Map();
        for (const charge of charges) providerMicros.set(charge.instanceId, (providerMicros.get(charge.instanceId) ?? 0) + usdToMicros(charge.amountUsd));
      } catch (error) {
        run.failures.push({ provider, message: error instanceof Error ? error.message : String(error) });
        continue;
      }
      const ledgerMicros = await ledgerTotals(em, mine.map((candidate) => candidate.sessionId));
      for (const candidate of mine) {
        const billed = candidate.instanceIds.reduce((sum, instanceId) => sum + (providerMicros.get(instanceId) ?? 0), 0);
        run.results.push(await this.record(em, candidate, ledgerMicros.get(candidate.sessionId) ?? { meteredMicros: 0, adjustmentMicros: 0 }, billed, now));
      }
    }
    await em.flush();
    return run;
  }

  /** The latest comparison per session (a consumer sees only its own). */
  async latest(em: EntityManager, caller: Caller): Promise<ReconciliationResult[]> {
    const scope = scopeOf(caller);
    const rows = await em.find(CostReconciliationEntity, scope === null ? {} : { consumerId: scope }, { orderBy: { checkedAt: 'desc', id: 'desc' } });
    const seen = new Set<string>();
    const latest: ReconciliationResult[] = [];
    for (const row of rows) {
      if (seen.has(row.sessionId)) continue;
      seen.add(row.sessionId);
      latest.push(toResult(row, this.isDrift(row.ledgerMicros, row.providerMicros, row.differenceRatio ?? null)));
    }
    return latest.sort((a, b) => a.sessionId.localeCompare(b.sessionId));
  }

  /** Sessions with usage at a provider we can read, except those whose whole life is already reconciled. */
  private async candidates(em: EntityManager, now: Date, providers: Set<ProviderName>): Promise<Candidate[]> {
    const usage = await loadUsage(em, now);
    const sessionIds = [...usage.keys()];
    const sessions = new Map((await inChunks(sessionIds, (ids) => em.find(SessionEntity, { id: { $in: ids } }))).map((row) => [row.id, row]));
    const attemptInstances = new Map<string, string[]>();
    // A failed attempt's instance can have been billed before the session's first meter opened (one
    // that failed at once has no usage of its own): the bill is asked for from its create on.
    const firstAttemptMs = new Map<string, number>();
    for (const attempt of await inChunks(sessionIds, (ids) => em.find(ProvisionAttemptEntity, { sessionId: { $in: ids }, instanceId: { $ne: null } }, { fields: ['sessionId', 'instanceId', 'startedAt'] }))) {
      attemptInstances.set(attempt.sessionId, [...(attemptInstances.get(attempt.sessionId) ?? []), attempt.instanceId!]);
      firstAttemptMs.set(attempt.sessionId, Math.min(firstAttemptMs.get(attempt.sessionId) ?? Infinity, attempt.startedAt.getTime()));
    }
    // A session is settled once a comparison covering its whole life found the provider's bill and agreed with it.
    const agreedUntil = new Map<string, number>();
    const checks = await inChunks(sessionIds, (ids) => em.find(CostReconciliationEntity, { sessionId: { $in: ids } }, { fields: ['sessionId', 'to', 'ledgerMicros', 'providerMicros', 'differenceRatio', 'adjustmentMicros', 'checkedAt'] }));
    for (const check of checks) if (this.settles(check, sessions.get(check.sessionId))) agreedUntil.set(check.sessionId, Math.max(agreedUntil.get(check.sessionId) ?? 0, check.to.getTime()));
    const candidates: Candidate[] = [];
    for (const [sessionId, events] of usage) {
      const first = events[0] as UsageEventRow;
      const provider = sessions.get(sessionId)?.provider ?? first.provider;
      if (!providers.has(provider)) continue;
      const intervals = meterIntervals(
        events.map((event) => ({ kind: event.kind, atMs: event.at.getTime(), instanceId: event.instanceId })),
        now.getTime(),
      );
      const lastStorage = intervals.storage.at(-1);
      const endedMs = intervals.storageOpen || lastStorage === undefined ? null : lastStorage.toMs;
      if (endedMs !== null && (agreedUntil.get(sessionId) ?? -1) >= endedMs) continue;
      if (endedMs !== null && now.getTime() - endedMs > this.recheckAfterEndMs) continue;
      const session = sessions.get(sessionId);
      candidates.push({
        sessionId,
        consumerId: first.consumerId,
        provider,
        instanceId: session?.providerInstanceId ?? events.at(-1)!.instanceId,
        instanceIds: [...new Set([...events.map((event) => event.instanceId), ...(attemptInstances.get(sessionId) ?? [])])],
        fromMs: Math.min(first.at.getTime(), firstAttemptMs.get(sessionId) ?? Infinity),
        toMs: endedMs ?? now.getTime(),
        final: endedMs !== null && session !== undefined && isTerminal(session.state),
      });
    }
    return candidates;
  }

  /**
   * Stores the comparison of what we metered with what the provider billed. Drift is judged on the
   * metered amount (that is what the lifecycle's observations are worth); once the session is over,
   * the ledger is trued up to the bill by one `adjustment` entry, kept beside the original figures.
   */
  private async record(em: EntityManager, candidate: Candidate, ledger: LedgerTotals, providerMicros: number, now: Date): Promise<ReconciliationResult> {
    const ledgerMicros = ledger.meteredMicros;
    const differenceRatio = providerMicros === 0 ? null : (ledgerMicros - providerMicros) / providerMicros;
    const adjustmentMicros = candidate.final && providerMicros > 0 ? providerMicros - ledgerMicros : ledger.adjustmentMicros;
    if (adjustmentMicros !== ledger.adjustmentMicros) await this.writeAdjustment(em, candidate, adjustmentMicros);
    const row = em.create(CostReconciliationEntity, {
      sessionId: candidate.sessionId,
      consumerId: candidate.consumerId,
      provider: candidate.provider,
      from: new Date(candidate.fromMs),
      to: new Date(candidate.toMs),
      ledgerMicros,
      providerMicros,
      differenceRatio,
      adjustmentMicros,
      checkedAt: now,
    });
    const drift = this.isDrift(ledgerMicros, providerMicros, differenceRatio);
    if (drift) await this.raiseDrift(em, candidate, ledgerMicros, providerMicros, differenceRatio!, now);
    return toResult(row, drift);
  }

  /** One adjustment row per session, in the hour the session ended; replaced, never stacked. */
  private async writeAdjustment(em: EntityManager, candidate: Candidate, adjustmentMicros: number): Promise<void> {
    const session = await em.findOne(SessionEntity, { id: candidate.sessionId }, { fields: ['gpuModel'] });
    await em.nativeDelete(CostEntryEntity, { sessionId: candidate.sessionId, kind: 'adjustment' });
    if (adjustmentMicros === 0) return;
    em.create(CostEntryEntity, {
      sessionId: candidate.sessionId,
      consumerId: candidate.consumerId,
      provider: candidate.provider,
      gpuModel: session?.gpuModel ?? UNKNOWN_GPU_MODEL,
      kind: 'adjustment',
      hourStart: bucketStart(new Date(candidate.toMs), 'hour'),
      costMicros: adjustmentMicros,
    });
  }

  /**
   * Whether a comparison settles the session (it is not compared again). A session that has ended is
   * settled only by a comparison made after its end that found the ledger exactly at the bill (trued
   * up): a comparison taken while it ran can cover its end on paper, once the end is dated back to
   * when the provider most likely stopped, and a difference below the alert threshold is still money.
   */
  private settles(check: Pick<CostReconciliationRow, 'ledgerMicros' | 'providerMicros' | 'differenceRatio' | 'adjustmentMicros' | 'checkedAt'>, session: Pick<SessionRow, 'state' | 'endedAt'> | undefined): boolean {
    if (check.providerMicros <= 0) return false;
    const exact = Math.abs(check.ledgerMicros + check.adjustmentMicros - check.providerMicros) <= SETTLED_WITHIN_MICROS;
    if (session !== undefined && isTerminal(session.state) && session.endedAt) return exact && check.checkedAt >= session.endedAt;
    if (check.adjustmentMicros !== 0) return exact;
    return !this.isDrift(check.ledgerMicros, check.providerMicros, check.differenceRatio ?? null);
  }

  private isDrift(ledgerMicros: number, providerMicros: number, differenceRatio: number | null): boolean {
    return differenceRatio !== null && Math.abs(differenceRatio) > this.driftRatio && Math.abs(ledgerMicros - providerMicros) >= this.minDriftMicros;
  }

  /** One open alert per session: a drift that persists across runs is not news. Committed by run()'s flush, with the comparison. */
  private async raiseDrift(em: EntityManager, candidate: Candidate, ledgerMicros: number, providerMicros: number, differenceRatio: number, now: Date): Promise<void> {
    const open = await em.findOne(AlertEntity, { kind: 'cost_drift', sessionId: candidate.sessionId, resolvedAt: null });
    if (open !== null) return;
    const percent = (differenceRatio * 100).toFixed(2);
    const detail = { ledgerUsd: microsToUsd(ledgerMicros), providerUsd: microsToUsd(providerMicros), differenceRatio };
    const alert = em.create(AlertEntity, {
      id: newId('alr'),
      createdAt: now,
      kind: 'cost_drift',
      message: `session ${candidate.sessionId}: our ledger says $${detail.ledgerUsd.toFixed(6)}, ${candidate.provider} billed $${detail.providerUsd.toFixed(6)} (${percent}%)`,
      sessionId: candidate.sessionId,
      consumerId: candidate.consumerId,
      provider: candidate.provider,
      instanceId: candidate.instanceId,
      resolvedAt: null,
      detail,
    });
    await this.notifier.notify('cost.drift', null, { alertId: alert.id, sessionId: candidate.sessionId, consumerId: candidate.consumerId, provider: candidate.provider, instanceId: candidate.instanceId, ...detail }, { em });
  }
}

interface LedgerTotals {
  /** Compute and storage from the lifecycle's observations. */
  meteredMicros: number;
  /** What reconciliation already added to match the bill. */
  adjustmentMicros: number;
}

async function ledgerTotals(em: EntityManager, sessionIds: string[]): Promise<Map<string, LedgerTotals>> {
  const totals = new Map<string, LedgerTotals>();
  for (const entry of await inChunks(sessionIds, (ids) => em.find(CostEntryEntity, { sessionId: { $in: ids } }, { fields: ['sessionId', 'costMicros', 'kind'] }))) {
    const total = totals.get(entry.sessionId) ?? { meteredMicros: 0, adjustmentMicros: 0 };
    if (entry.kind === 'adjustment') total.adjustmentMicros += entry.costMicros;
    else total.meteredMicros += entry.costMicros;
    totals.set(entry.sessionId, total);
  }
  return totals;
}

function toResult(row: CostReconciliationRow, drift: boolean): ReconciliationResult {
  return {
    sessionId: row.sessionId,
    consumerId: row.consumerId,
    provider: row.provider,
    from: row.from.toISOString(),
    to: row.to.toISOString(),
    ledgerUsd: microsToUsd(row.ledgerMicros),
    providerUsd: microsToUsd(row.providerMicros),
    adjustmentUsd: microsToUsd(row.adjustmentMicros),
    differenceRatio: row.differenceRatio ?? null,
    drift,
    checkedAt: row.checkedAt.toISOString(),
  };
}

// The cost ledger: recomputes each session's hourly cost rows from its persisted usage events. Nothing is
// counted in memory, so accruing again (after a restart, twice, concurrently) gives the same rows.
import type { EntityManager } from '@gpu-shopper/db';
import type { ProviderName } from '@gpu-shopper/domain';
import { CostEntryEntity, SessionEntity, UsageEventEntity, type CostEntryRow, type SessionRow, type UsageEventRow } from '@gpu-shopper/db';
import { PROVIDER_BILLING_RULES, type ProviderBillingRule } from './billing-rules';
import { pricingOf, sessionCharges, type SessionCharges } from './session-charges';

export interface AccrueScope {
  consumerId?: string;
  sessionId?: string;
}

export interface AccrueResult {
  sessions: number;
  /** Rows inserted or changed. */
  written: number;
  /** Rows that no longer match any billed time (usage events were corrected). */
  removed: number;
}

export interface LedgerOptions {
  rules?: Readonly<Record<ProviderName, ProviderBillingRule>>;
}

type CostKind = CostEntryRow['kind'];

/** SQLite caps bound parameters; `$in` lists are sent in slices of this size. */
const IN_CHUNK = 500;
export const UNKNOWN_GPU_MODEL = 'unknown';
/** How long after its end a session's cost is still recomputed (late usage events, a restart). */
export const SETTLED_AFTER_MS = 7 * 24 * 60 * 60 * 1000;

export class LedgerService {
  private readonly rules: Readonly<Record<ProviderName, ProviderBillingRule>>;

  constructor(options: LedgerOptions = {}) {
    this.rules = options.rules ?? PROVIDER_BILLING_RULES;
  }

  /** Brings every session with usage up to `now` (or only the scoped ones) to its exact hourly cost. */
  async accrue(em: EntityManager, now: Date, scope: AccrueScope = {}): Promise<AccrueResult> {
    // A session that ended a while ago is settled: its rows cannot change any more, so it is not
    // recomputed (the work stays proportional to live sessions, not to all history).
    const settledBefore = new Date(now.getTime() - SETTLED_AFTER_MS);
    const open = await em.find(
      SessionEntity,
      { ...(scope.consumerId !== undefined ? { consumerId: scope.consumerId } : {}), ...(scope.sessionId !== undefined ? { id: scope.sessionId } : {}), $or: [{ endedAt: null }, { endedAt: { $gte: settledBefore } }] },
      { fields: ['id'] },
    );
    const marksBySession = await loadUsage(em, now, { ...scope, sessionIds: open.map((row) => row.id) });
    const sessionIds = [...marksBySession.keys()];
    const result: AccrueResult = { sessions: 0, written: 0, removed: 0 };
    if (sessionIds.length === 0) return result;
    const sessions = await inChunks(sessionIds, (ids) => em.find(SessionEntity, { id: { $in: ids } }));
    // Adjustments are written by reconciliation from the provider's bill, not from usage: left alone here.
    const existing = await inChunks(sessionIds, (ids) => em.find(CostEntryEntity, { sessionId: { $in: ids }, kind: { $ne: 'adjustment' } }));
    const existingByKey = new Map(existing.map((row) => [entryKey(row.sessionId, row.hourStart.getTime(), row.kind), row]));

    const upserts: Omit<CostEntryRow, 'id'>[] = [];
    const wanted = new Set<string>();
    const accrued = new Set<string>();
    for (const session of sessions) {
      const events = marksBySession.get(session.id) ?? [];
      const charges = this.chargesFor(session, events, now);
      if (charges === null) continue;
      accrued.add(session.id);
      result.sessions += 1;
      const provider = session.provider ?? events[0]!.provider;
      for (const [kind, buckets] of [['compute', charges.compute], ['storage', charges.storage]] as const) {
        for (const bucket of buckets) {
          const key = entryKey(session.id, bucket.hourStartMs, kind);
          wanted.add(key);
          const row = existingByKey.get(key);
          const gpuModel = session.gpuModel ?? UNKNOWN_GPU_MODEL;
          if (row !== undefined && row.costMicros === bucket.costMicros && row.gpuModel === gpuModel && row.consumerId === session.consumerId) continue;
          upserts.push({ sessionId: session.id, consumerId: session.consumerId, provider, gpuModel, kind, hourStart: new Date(bucket.hourStartMs), costMicros: bucket.costMicros });
        }
      }
    }
    // Upsert on the (session, hour, kind) key: a concurrent accrue writing the same row cannot collide.
    if (upserts.length > 0) {
      await em.upsertMany(CostEntryEntity, upserts, {
        onConflictFields: ['sessionId', 'hourStart', 'kind'],
        onConflictAction: 'merge',
        onConflictMergeFields: ['costMicros', 'gpuModel', 'consumerId', 'provider'],
      });
    }
    const stale = existing.filter((row) => accrued.has(row.sessionId) && !wanted.has(entryKey(row.sessionId, row.hourStart.getTime(), row.kind)));
    if (stale.length > 0) await em.nativeDelete(CostEntryEntity, { id: { $in: stale.map((row) => row.id) } });
    result.written = upserts.length;
    result.removed = stale.length;
    return result;
  }

  /** One session's charges up to `now`, computed from its events (no write); null without a provider. */
  chargesFor(session: SessionRow, events: readonly UsageEventRow[], now: Date): SessionCharges | null {
    const provider = session.provider ?? events[0]?.provider;
    if (provider === undefined || provider === null) return null;
    const marks = events.map((event) => ({ kind: event.kind, atMs: event.at.getTime(), instanceId: event.instanceId }));
    return sessionCharges(marks, now.getTime(), pricingOf(session), this.rules[provider]);
  }
}

function entryKey(sessionId: string, hourStartMs: number, kind: CostKind): string {
  return `${sessionId}|${hourStartMs}|${kind}`;
}

/** Usage events up to `now`, per session, in the order they happened; `sessionIds` limits to those sessions. */
export async function loadUsage(em: EntityManager, now: Date, scope: AccrueScope & { sessionIds?: readonly string[] } = {}): Promise<Map<string, UsageEventRow[]>> {
  const where: Record<string, unknown> = { at: { $lte: now } };
  if (scope.consumerId !== undefined) where.consumerId = scope.consumerId;
  if (scope.sessionId !== undefined) where.sessionId = scope.sessionId;
  const orderBy = { sessionId: 'asc', at: 'asc', id: 'asc' } as const;
  const events =
    scope.sessionIds === undefined
      ? await em.find(UsageEventEntity, where, { orderBy })
      : await inChunks(scope.sessionIds, (ids) => em.find(UsageEventEntity, { ...where, sessionId: { $in: ids } }, { orderBy }));
  const bySession = new Map<string, UsageEventRow[]>();
  for (const event of events) {
    const list = bySession.get(event.sessionId);
    if (list === undefined) bySession.set(event.sessionId, [event]);
    else list.push(event);
  }
  return bySession;
}

/** Runs `query` over `values` in slices, because SQLite caps bound parameters. */
export async function inChunks<V, R>(values: readonly V[], query: (slice: V[]) => Promise<R[]>): Promise<R[]> {
  const rows: R[] = [];
  for (let index = 0; index < values.length; index += IN_CHUNK) rows.push(...(await query(values.slice(index, index + IN_CHUNK))));
  return rows;
}

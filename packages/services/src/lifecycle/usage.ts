// Writes the usage events the ledger bills from, idempotently: a second "compute started" while
// compute is already running is ignored, so jobs can re-run after a crash without double billing.
import type { EntityManager } from '@mikro-orm/sqlite';
import { UsageEventEntity, type SessionRow, type UsageKind } from '@gpu-shopper/db';

const PAIRS: Record<UsageKind, { meter: 'compute' | 'storage'; opens: boolean }> = {
  compute_started: { meter: 'compute', opens: true },
  compute_stopped: { meter: 'compute', opens: false },
  storage_started: { meter: 'storage', opens: true },
  storage_stopped: { meter: 'storage', opens: false },
};

/** Whether the session's `meter` is running (its last event is a start). */
export async function isMeterOpen(em: EntityManager, row: SessionRow, meter: 'compute' | 'storage'): Promise<boolean> {
  const kinds = meter === 'compute' ? (['compute_started', 'compute_stopped'] as const) : (['storage_started', 'storage_stopped'] as const);
  const last = await em.findOne(UsageEventEntity, { sessionId: row.id, kind: { $in: [...kinds] } }, { orderBy: { id: 'desc' } });
  return last?.kind === kinds[0];
}

/** Records `kind` unless the meter is already in that state; the caller flushes. */
export async function recordUsage(em: EntityManager, row: SessionRow, kind: UsageKind, at: Date): Promise<boolean> {
  if (row.provider === null || row.provider === undefined || !row.providerInstanceId) return false;
  const { meter, opens } = PAIRS[kind];
  if ((await isMeterOpen(em, row, meter)) === opens) return false;
  em.create(UsageEventEntity, { sessionId: row.id, consumerId: row.consumerId, provider: row.provider, instanceId: row.providerInstanceId, kind, at });
  return true;
}

/** The instance is gone or going: every open meter closes. */
export async function closeAllUsage(em: EntityManager, row: SessionRow, at: Date): Promise<void> {
  await recordUsage(em, row, 'compute_stopped', at);
  await recordUsage(em, row, 'storage_stopped', at);
}

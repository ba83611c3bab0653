// Writes the usage events the ledger bills from, idempotently: a second "compute started" while
// compute is already running is ignored, so jobs can re-run after a crash without double billing.
import type { EntityManager } from '@gpu-shopper/db';
import { UsageEventEntity, type SessionRow, type UsageKind } from '@gpu-shopper/db';

const PAIRS: Record<UsageKind, { meter: 'compute' | 'storage'; opens: boolean }> = {
  compute_started: { meter: 'compute', opens: true },
  compute_stopped: { meter: 'compute', opens: false },
  storage_started: { meter: 'storage', opens: true },
  storage_stopped: { meter: 'storage', opens: false },
};

/** Whether the session's `meter` is running (its last event is a start). */
export async function isMeterOpen(em: EntityManager, row: SessionRow, meter: 'compute' | 'storage', instanceId = row.providerInstanceId): Promise<boolean> {
  const kinds = meter === 'compute' ? (['compute_started', 'compute_stopped'] as const) : (['storage_started', 'storage_stopped'] as const);
  // Meters are per instance: a session that failed over has one pair per instance it had.
  const last = await em.findOne(UsageEventEntity, { sessionId: row.id, instanceId: instanceId ?? '', kind: { $in: [...kinds] } }, { orderBy: { id: 'desc' } });
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

/**
 * An instance of the session that is not (or no longer) its own, seen alive by the sweep: a create
 * that failed yet made one, or a failed-over instance whose destroy did not take. The provider bills
 * it to us until it is gone, so its meters run from about its creation to the last time it was seen:
 * each sighting moves their end to `seenAt` (the caller flushes).
 */
export async function recordLeftoverUsage(em: EntityManager, row: SessionRow, instanceId: string, provider: SessionRow['provider'], createdAt: Date, running: boolean, seenAt: Date): Promise<void> {
  if (!provider) return;
  const events = await em.find(UsageEventEntity, { sessionId: row.id, instanceId }, { orderBy: { id: 'asc' } });
  const base = { sessionId: row.id, consumerId: row.consumerId, provider, instanceId };
  if (events.length === 0) {
    em.create(UsageEventEntity, { ...base, kind: 'storage_started', at: createdAt });
    // When it began running is unknown: halfway between its creation and this sighting.
    if (running) em.create(UsageEventEntity, { ...base, kind: 'compute_started', at: new Date(Math.round((createdAt.getTime() + seenAt.getTime()) / 2)) });
    if (running) em.create(UsageEventEntity, { ...base, kind: 'compute_stopped', at: seenAt });
    em.create(UsageEventEntity, { ...base, kind: 'storage_stopped', at: seenAt });
    return;
  }
  for (const kind of ['compute_stopped', 'storage_stopped'] as const) {
    const stop = events.filter((event) => event.kind === kind).at(-1);
    if (stop !== undefined && stop.at < seenAt && (kind === 'storage_stopped' || running)) stop.at = seenAt;
  }
}

/** The instance is gone or going: every open meter closes. */
export async function closeAllUsage(em: EntityManager, row: SessionRow, at: Date): Promise<void> {
  await recordUsage(em, row, 'compute_stopped', at);
  await recordUsage(em, row, 'storage_stopped', at);
}

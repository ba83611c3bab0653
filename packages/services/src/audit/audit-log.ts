// The audit log of operator actions. A service records its action on the entity manager that holds
// the change, before the one flush that commits both: the entry and the change commit together or
// not at all. Details are small and never hold a secret (no key, no hash, no provider key hint).
import type { EntityManager } from '@gpu-shopper/db';
import { AuditEventEntity, type AuditEventRow } from '@gpu-shopper/db';
import type { AuditAction, AuditDetail, AuditEvent, Caller, Clock } from '@gpu-shopper/domain';

/**
 * Persists (does not flush) one entry when the caller is an operator; a consumer acting on its own
 * things is not an operator action, and is not recorded.
 */
export function recordOperatorAction(em: EntityManager, clock: Clock, caller: Caller, action: AuditAction, target: string, detail: AuditDetail = {}): void {
  if (caller.role !== 'admin') return;
  em.create(AuditEventEntity, { at: clock.now(), action, actorKeyId: caller.keyId, actorConsumerId: caller.consumerId, target, detail });
}

export interface AuditQuery {
  action?: AuditAction;
  /** Entries at or after this instant. */
  since?: Date;
  /** Entries before this instant. */
  until?: Date;
  /** The `nextCursor` of the page before: entries older than those. */
  cursor?: number;
  /** Page size, default 100. */
  limit?: number;
}

export interface AuditPage {
  events: AuditEvent[];
  /** Pass as `cursor` for the next (older) page; null when this is the last. */
  nextCursor: number | null;
}

export const DEFAULT_AUDIT_PAGE_SIZE = 100;

/** Newest first; pages by id (ascending with insertion), so new entries never shift a page being read. */
export async function listAuditEvents(em: EntityManager, query: AuditQuery = {}): Promise<AuditPage> {
  const limit = query.limit ?? DEFAULT_AUDIT_PAGE_SIZE;
  const where: Record<string, unknown> = {};
  if (query.action !== undefined) where.action = query.action;
  if (query.since !== undefined || query.until !== undefined) {
    where.at = { ...(query.since === undefined ? {} : { $gte: query.since }), ...(query.until === undefined ? {} : { $lt: query.until }) };
  }
  if (query.cursor !== undefined) where.id = { $lt: query.cursor };
  // One more than a page: whether there is a next page, without a count.
  const rows = await em.find(AuditEventEntity, where, { orderBy: { id: 'desc' }, limit: limit + 1 });
  const page = rows.slice(0, limit);
  return { events: page.map(toAuditEvent), nextCursor: rows.length > limit ? (page.at(-1)?.id ?? null) : null };
}

function toAuditEvent(row: AuditEventRow): AuditEvent {
  return {
    id: row.id,
    at: row.at.toISOString(),
    action: row.action,
    actorKeyId: row.actorKeyId,
    actorConsumerId: row.actorConsumerId ?? null,
    target: row.target,
    detail: row.detail,
  };
}

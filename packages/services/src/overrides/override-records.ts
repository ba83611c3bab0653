// Override requests in their API shape.
import type { OverrideRequest } from '@gpu-shopper/domain';
import type { OverrideRequestRow } from '@gpu-shopper/db';

export function toOverrideRequest(row: OverrideRequestRow): OverrideRequest {
  return {
    id: row.id,
    sessionId: row.sessionId,
    consumerId: row.consumerId,
    extraHours: row.extraHours,
    requestedEndsAt: row.requestedEndsAt.toISOString(),
    status: row.status,
    requestedBy: row.requestedBy,
    decidedBy: row.decidedBy ?? null,
    decidedAt: row.decidedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}

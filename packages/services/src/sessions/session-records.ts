// Reading and writing session rows: mapping to the API shape, and the one place state changes
// (validated by the domain's transition table, and written to the audit trail).
import type { EntityManager } from '@gpu-shopper/db';
import type { Clock, EndReason, Session, SessionDetail, SessionState, Workload } from '@gpu-shopper/domain';
import { assertTransition, isTerminal, newReservation, sessionLabel } from '@gpu-shopper/domain';
import { OverrideRequestEntity, ProvisionAttemptEntity, SessionEntity, SessionEventEntity, type SessionRow } from '@gpu-shopper/db';
import { toOverrideRequest } from '../overrides/override-records';
import { newId } from '../ids';

export function toSession(row: SessionRow): Session {
  return {
    id: row.id,
    consumerId: row.consumerId,
    state: row.state,
    workload: row.workload,
    llmModel: row.llmModel ?? null,
    offerId: row.offerId ?? null,
    provider: row.provider ?? null,
    providerInstanceId: row.providerInstanceId ?? null,
    gpuModel: row.gpuModel ?? null,
    pricePerHourUsd: row.pricePerHourUsd ?? null,
    reservation: {
      hours: row.reservationHours,
      startsAt: row.reservationStartsAt.toISOString(),
      endsAt: row.reservationEndsAt.toISOString(),
      hardMaxEndsAt: row.hardMaxEndsAt.toISOString(),
    },
    label: row.label,
    endReason: row.endReason ?? null,
    failureReason: row.failureReason ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    readyAt: row.readyAt?.toISOString() ?? null,
    endedAt: row.endedAt?.toISOString() ?? null,
  };
}

export async function toSessionDetail(em: EntityManager, row: SessionRow): Promise<SessionDetail> {
  const events = await em.find(SessionEventEntity, { sessionId: row.id }, { orderBy: { id: 'asc' } });
  const overrides = await em.find(OverrideRequestEntity, { sessionId: row.id }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  const attempts = await em.find(ProvisionAttemptEntity, { sessionId: row.id }, { orderBy: { attempt: 'asc', id: 'asc' } });
  return {
    ...toSession(row),
    events: events.map((event) => ({ at: event.at.toISOString(), from: event.fromState ?? null, to: event.toState, reason: event.reason, actor: event.actor })),
    attempts: attempts.map((attempt) => ({
      attempt: attempt.attempt,
      provider: attempt.provider,
      offerId: attempt.offerId,
      instanceId: attempt.instanceId ?? null,
      outcome: attempt.outcome,
      error: attempt.error ?? null,
      startedAt: attempt.startedAt.toISOString(),
      finishedAt: attempt.finishedAt?.toISOString() ?? null,
    })),
    overrideRequests: overrides.map(toOverrideRequest),
    nodeEndpoint: row.nodeEndpoint ?? null,
    lastHeartbeatAt: row.lastHeartbeatAt?.toISOString() ?? null,
    agentIdle: row.agentIdle,
  };
}

export interface NewSession {
  consumerId: string;
  workload: Workload;
  llmModel?: string | null;
  reservationHours: number;
  deploymentId: string;
  idempotencyKey?: string | null;
  actor: string;
}

/** Writes a session in `provisioning` (and its first event); the caller flushes. */
export function insertSession(em: EntityManager, clock: Clock, input: NewSession): SessionRow {
  const now = clock.now();
  const id = newId('ses');
  const reservation = newReservation(now, input.reservationHours);
  const row = em.create(SessionEntity, {
    id,
    consumerId: input.consumerId,
    state: 'provisioning',
    workload: input.workload,
    llmModel: input.llmModel ?? null,
    offerId: null,
    provider: null,
    providerInstanceId: null,
    gpuModel: null,
    pricePerHourUsd: null,
    reservationHours: input.reservationHours,
    reservationStartsAt: new Date(reservation.startsAt),
    reservationEndsAt: new Date(reservation.endsAt),
    hardMaxEndsAt: new Date(reservation.hardMaxEndsAt),
    label: sessionLabel(input.deploymentId, id),
    endReason: null,
    failureReason: null,
    idempotencyKey: input.idempotencyKey ?? null,
    createdAt: now,
    updatedAt: now,
    readyAt: null,
    endedAt: null,
  });
  em.create(SessionEventEntity, { sessionId: id, at: now, fromState: null, toState: 'provisioning', reason: 'requested', actor: input.actor });
  return row;
}

/** Moves a session to a new state, or refuses; records who and why. The caller flushes. */
export function transitionSession(
  em: EntityManager,
  clock: Clock,
  row: SessionRow,
  to: SessionState,
  change: { reason: string; actor: string; endReason?: EndReason; failureReason?: string },
): void {
  assertTransition(row.state, to);
  const now = clock.now();
  em.create(SessionEventEntity, { sessionId: row.id, at: now, fromState: row.state, toState: to, reason: change.reason, actor: change.actor });
  row.state = to;
  row.updatedAt = now;
  if (to === 'ready') row.readyAt = now;
  if (change.endReason !== undefined && (row.endReason === null || row.endReason === undefined)) row.endReason = change.endReason;
  if (change.failureReason !== undefined) row.failureReason = change.failureReason;
  if (isTerminal(to)) row.endedAt = now;
}

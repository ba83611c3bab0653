// Reservations past 12 hours: a consumer asks, an operator decides. Every decision records who
// and when; an approved end becomes the session's new hard maximum.
import type { EntityManager } from '@gpu-shopper/db';
import type { Caller, Clock, OverrideRequest } from '@gpu-shopper/domain';
import { approveOverride, ConflictError, InvalidStateError, NotFoundError } from '@gpu-shopper/domain';
import { OverrideRequestEntity, SessionEntity } from '@gpu-shopper/db';
import { recordOperatorAction } from '../audit/audit-log';
import { actorOf } from '../caller';
import { newId } from '../ids';
import { toSession } from '../sessions/session-records';
import type { WebhookNotifier } from '../webhooks/webhook-notifier';
import { toOverrideRequest } from './override-records';

export class OverrideService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    private readonly webhooks: WebhookNotifier,
  ) {}

  async request(caller: Caller, sessionId: string, consumerId: string, extraHours: number, requestedEndsAt: string): Promise<OverrideRequest> {
    const pending = await this.em.findOne(OverrideRequestEntity, { sessionId, status: 'pending' });
    if (pending !== null) throw new ConflictError(`session ${sessionId} already has a pending override request (${pending.id})`);
    const row = this.em.create(OverrideRequestEntity, {
      id: newId('ovr'),
      createdAt: this.clock.now(),
      sessionId,
      consumerId,
      extraHours,
      requestedEndsAt: new Date(requestedEndsAt),
      status: 'pending',
      requestedBy: actorOf(caller),
      decidedBy: null,
      decidedAt: null,
    });
    // The event commits with the request (outbox): a request that fails to save announces nothing.
    await this.webhooks.notify('override.requested', consumerId, { overrideId: row.id, sessionId, requestedEndsAt }, { em: this.em });
    await this.em.flush();
    return toOverrideRequest(row);
  }

  async list(status?: 'pending' | 'approved' | 'denied'): Promise<OverrideRequest[]> {
    const rows = await this.em.find(OverrideRequestEntity, status === undefined ? {} : { status }, { orderBy: { createdAt: 'asc', id: 'asc' } });
    return rows.map(toOverrideRequest);
  }

  async decide(caller: Caller, overrideId: string, approve: boolean): Promise<OverrideRequest> {
    const request = await this.em.findOne(OverrideRequestEntity, { id: overrideId });
    if (request === null) throw new NotFoundError('override request', overrideId);
    if (request.status !== 'pending') throw new ConflictError(`override request ${overrideId} was already ${request.status}`);
    const session = await this.em.findOneOrFail(SessionEntity, { id: request.sessionId });
    if (approve) {
      if (session.state !== 'provisioning' && session.state !== 'ready') throw new InvalidStateError(`session ${session.id} is ${session.state}: nothing to extend`);
      const reservation = approveOverride(toSession(session).reservation, request.requestedEndsAt.toISOString());
      session.reservationHours = reservation.hours;
      session.reservationEndsAt = new Date(reservation.endsAt);
      session.hardMaxEndsAt = new Date(reservation.hardMaxEndsAt);
      session.graceEndsAt = null;
      session.updatedAt = this.clock.now();
    }
    request.status = approve ? 'approved' : 'denied';
    request.decidedBy = actorOf(caller);
    request.decidedAt = this.clock.now();
    await this.webhooks.notify('override.decided', request.consumerId, { overrideId, sessionId: request.sessionId, status: request.status, decidedBy: request.decidedBy }, { em: this.em });
    recordOperatorAction(this.em, this.clock, caller, approve ? 'override.approved' : 'override.denied', overrideId, {
      sessionId: request.sessionId,
      consumerId: request.consumerId,
      requestedEndsAt: request.requestedEndsAt.toISOString(),
    });
    await this.em.flush();
    return toOverrideRequest(request);
  }
}

// What consumers and operators do with sessions: list, read, finish, extend, force shut down.
// Provisioning itself is delegated to a SessionProvisioner; without one, creating a session is
// refused with a clear "unavailable" error, never a fake success.
import type { EntityManager } from '@mikro-orm/sqlite';
import type { Caller, Clock, Session, SessionDetail, SessionState, StoragePolicy, Workload } from '@gpu-shopper/domain';
import { extendReservation, InvalidStateError, LIVE_STATES, NotFoundError, UnavailableError } from '@gpu-shopper/domain';
import { SessionEntity, type SessionRow } from '@gpu-shopper/db';
import { actorOf, scopeOf } from '../caller';
import { toSession, toSessionDetail, transitionSession } from './session-records';

export interface ProvisionRequest {
  offerId?: string;
  gpu?: string;
  minVramGb?: number;
  maxPricePerHourUsd?: number;
  region?: string;
  provider?: 'vastai' | 'tensordock';
  hours: number;
  workload: Workload;
  llmModel?: string;
  sshPublicKey?: string;
  idempotencyKey?: string;
}

/** Turns a request into a session and a node; arrives with the provisioning capability. */
export interface SessionProvisioner {
  provision(caller: Caller & { role: 'consumer' }, request: ProvisionRequest): Promise<Session>;
}

export interface SessionListFilter {
  /** Include ended sessions (terminated, failed). */
  all?: boolean;
  state?: SessionState;
  consumerId?: string;
}

export class SessionService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    private readonly provisioner: SessionProvisioner | null = null,
  ) {}

  async create(caller: Caller, request: ProvisionRequest): Promise<Session> {
    if (caller.role !== 'consumer') throw new InvalidStateError('sessions are created with a consumer key: the session is billed to that consumer');
    if (this.provisioner === null) throw new UnavailableError('provisioning not available: no provider can provision sessions on this server yet');
    return this.provisioner.provision(caller, request);
  }

  async list(caller: Caller, filter: SessionListFilter = {}): Promise<Session[]> {
    const scope = scopeOf(caller);
    const where: Record<string, unknown> = {};
    if (scope !== null) where.consumerId = scope;
    else if (filter.consumerId !== undefined) where.consumerId = filter.consumerId;
    if (filter.state !== undefined) where.state = filter.state;
    else if (!filter.all) where.state = { $in: [...LIVE_STATES] };
    const rows = await this.em.find(SessionEntity, where, { orderBy: { createdAt: 'desc', id: 'asc' } });
    return rows.map(toSession);
  }

  async get(caller: Caller, id: string): Promise<SessionDetail> {
    return toSessionDetail(this.em, await this.findOwned(caller, id));
  }

  /** The consumer is finished: the node is shut down gracefully (the disk kept for `preserve`). */
  async done(caller: Caller, id: string, storage: StoragePolicy = 'destroy'): Promise<SessionDetail> {
    const row = await this.findOwned(caller, id);
    if (row.state === 'stopping' || row.state === 'stopped' || row.state === 'terminated' || row.state === 'failed') return toSessionDetail(this.em, row);
    transitionSession(this.em, this.clock, row, 'stopping', { reason: `done (storage: ${storage})`, actor: actorOf(caller), endReason: 'done' });
    await this.em.flush();
    return toSessionDetail(this.em, row);
  }

  /** Extends the reservation while it stays within the hard maximum (12 h or an approved override). */
  async extend(caller: Caller, id: string, hours: number): Promise<SessionDetail> {
    const row = await this.findOwned(caller, id);
    if (row.state !== 'provisioning' && row.state !== 'ready') throw new InvalidStateError(`only a live session can be extended; this one is ${row.state}`);
    const decision = extendReservation(toSession(row).reservation, hours);
    if (decision.kind === 'needs-approval') {
      throw new InvalidStateError(`extending to ${decision.requestedEndsAt} goes past the ${row.hardMaxEndsAt.toISOString()} maximum; that needs an operator's approval`);
    }
    row.reservationHours = decision.reservation.hours;
    row.reservationEndsAt = new Date(decision.reservation.endsAt);
    row.updatedAt = this.clock.now();
    await this.em.flush();
    return toSessionDetail(this.em, row);
  }

  /** Immediate shutdown: the consumer for its own session, an operator for any. */
  async forceShutdown(caller: Caller, id: string): Promise<SessionDetail> {
    const row = await this.findOwned(caller, id);
    if (row.state === 'provisioning' || row.state === 'ready' || row.state === 'stopped') {
      transitionSession(this.em, this.clock, row, 'stopping', { reason: 'forced shutdown', actor: actorOf(caller), endReason: 'forced' });
      await this.em.flush();
    }
    return toSessionDetail(this.em, row);
  }

  /** Another consumer's session is "not found", never "forbidden": its existence is not leaked. */
  private async findOwned(caller: Caller, id: string): Promise<SessionRow> {
    const scope = scopeOf(caller);
    const row = await this.em.findOne(SessionEntity, scope === null ? { id } : { id, consumerId: scope });
    if (row === null) throw new NotFoundError('session', id);
    return row;
  }
}

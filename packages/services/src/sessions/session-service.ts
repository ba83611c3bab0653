// What consumers and operators do with sessions: list, read, finish, extend, force shut down.
// Provisioning itself is delegated to a SessionProvisioner; without one, creating a session is
// refused with a clear "unavailable" error, never a fake success.
import type { EntityManager } from '@gpu-shopper/db';
import type { Caller, Clock, Session, SessionCredentials, SessionDetail, SessionState, StoragePolicy, Workload } from '@gpu-shopper/domain';
import { extendReservation, ForbiddenError, InvalidStateError, LIVE_STATES, microsToUsd, NotFoundError, UnavailableError } from '@gpu-shopper/domain';
import type { AlertSink } from '../alerts/alert-service';
import { projectedReservationMicros } from '../budgets/budget-guard';
import type { SecretBox } from '../secrets/secret-box';
import { OverrideService } from '../overrides/override-service';
import { noWebhooks, type WebhookNotifier } from '../webhooks/webhook-notifier';
import { SessionEntity, type SessionRow } from '@gpu-shopper/db';
import { recordOperatorAction } from '../audit/audit-log';
import { actorOf, scopeOf } from '../caller';
import { beginShutdown } from '../lifecycle/shutdown';
import { decodeSessionCursor, encodeSessionCursor } from './session-cursor';
import { toSession, toSessionDetail } from './session-records';

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
  /** Page size: default SESSION_PAGE_DEFAULT, at most SESSION_PAGE_MAX. */
  limit?: number;
  /** The previous page's `nextCursor`. */
  cursor?: string;
}

/** One page of a session list, newest first; `nextCursor` null on the last page. */
export interface SessionPage {
  sessions: Session[];
  nextCursor: string | null;
}

export const SESSION_PAGE_DEFAULT = 100;
export const SESSION_PAGE_MAX = 500;

/** What extending a reservation is checked against: the same race-free guard as provisioning. */
export interface ExtensionBudgetGuard {
  withinBudget<T>(consumerId: string, projectedMicros: number, em: EntityManager, apply: () => Promise<T>): Promise<T>;
  alertBudgetsExceeded(em: EntityManager, consumerId: string, projectedMicros: number): Promise<{ budgetId: string; limitMicros: number; remainingMicros: number; period: string; global: boolean }[]>;
}

export class SessionService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    private readonly provisioner: SessionProvisioner | null = null,
    private readonly webhooks: WebhookNotifier = noWebhooks,
    private readonly secrets: SecretBox | null = null,
    private readonly budgets: { guard: ExtensionBudgetGuard; alerts: AlertSink } | null = null,
  ) {}

  async create(caller: Caller, request: ProvisionRequest): Promise<Session> {
    if (caller.role !== 'consumer') throw new InvalidStateError('sessions are created with a consumer key: the session is billed to that consumer');
    if (this.provisioner === null) throw new UnavailableError('provisioning not available: no provider can provision sessions on this server yet');
    return this.provisioner.provision(caller, request);
  }

  /**
   * One page, newest first. Keyset-paged on (createdAt, id), so a page costs the same at 50,000
   * sessions as at 50, and sessions created meanwhile never shift the pages after the first.
   */
  async list(caller: Caller, filter: SessionListFilter = {}): Promise<SessionPage> {
    const scope = scopeOf(caller);
    const where: Record<string, unknown> = {};
    if (scope !== null) where.consumerId = scope;
    else if (filter.consumerId !== undefined) where.consumerId = filter.consumerId;
    if (filter.state !== undefined) where.state = filter.state;
    else if (!filter.all) where.state = { $in: [...LIVE_STATES] };
    if (filter.cursor !== undefined) {
      const after = decodeSessionCursor(filter.cursor);
      where.$or = [{ createdAt: { $lt: after.createdAt } }, { createdAt: after.createdAt, id: { $lt: after.id } }];
    }
    const limit = Math.min(Math.max(1, Math.trunc(filter.limit ?? SESSION_PAGE_DEFAULT)), SESSION_PAGE_MAX);
    const rows = await this.em.find(SessionEntity, where, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: limit + 1 });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { sessions: page.map(toSession), nextCursor: rows.length > limit && last !== undefined ? encodeSessionCursor(last) : null };
  }

  async get(caller: Caller, id: string): Promise<SessionDetail> {
    return toSessionDetail(this.em, await this.findOwned(caller, id));
  }

  /** The consumer is finished: the node is shut down gracefully (the disk kept for `preserve`). */
  async done(caller: Caller, id: string, storage: StoragePolicy = 'destroy'): Promise<SessionDetail> {
    const row = await this.findOwned(caller, id);
    if (row.state !== 'provisioning' && row.state !== 'ready') return toSessionDetail(this.em, row);
    beginShutdown(this.em, this.clock, row, { reason: `done (storage: ${storage})`, actor: actorOf(caller), endReason: 'done', storage });
    await this.em.flush();
    return toSessionDetail(this.em, row);
  }

  /**
   * Extends the reservation while it stays within the hard maximum (12 h or an approved override);
   * beyond it, files an override request that an operator must approve (listed on the session).
   */
  async extend(caller: Caller, id: string, hours: number): Promise<SessionDetail> {
    const row = await this.findOwned(caller, id);
    if (row.state !== 'provisioning' && row.state !== 'ready') throw new InvalidStateError(`only a live session can be extended; this one is ${row.state}`);
    const decision = extendReservation(toSession(row).reservation, hours);
    if (decision.kind === 'needs-approval') {
      await new OverrideService(this.em, this.clock, this.webhooks).request(caller, row.id, row.consumerId, hours, decision.requestedEndsAt);
      return toSessionDetail(this.em, row);
    }
    // The added hours may cost up to the session's all-in price each: budgets see them before they exist.
    const addedMicros = projectedReservationMicros(row.pricePerHourUsd ?? 0, decision.reservation.hours - row.reservationHours);
    const budgets = addedMicros > 0 ? this.budgets : null;
    const overAlertBudgets = budgets === null ? [] : await budgets.guard.alertBudgetsExceeded(this.em, row.consumerId, addedMicros);
    const apply = async () => {
      row.reservationHours = decision.reservation.hours;
      row.reservationEndsAt = new Date(decision.reservation.endsAt);
      row.updatedAt = this.clock.now();
      // The alerts and their webhooks commit with the extension, in its flush: an extension that fails to save raises nothing.
      for (const budget of overAlertBudgets) {
        await budgets?.alerts.raise(
          this.em,
          {
            kind: 'budget',
            message: `extending session ${row.id} by ${hours} h (up to $${microsToUsd(addedMicros).toFixed(2)}) takes ${budget.global ? 'the global' : 'the consumer’s'} ${budget.period} budget ${budget.budgetId} past its $${microsToUsd(budget.limitMicros).toFixed(2)} limit (an alert budget: allowed)`,
            sessionId: row.id,
            consumerId: row.consumerId,
            detail: { budgetId: budget.budgetId, addedUsd: microsToUsd(addedMicros), remainingUsd: microsToUsd(budget.remainingMicros) },
          },
          'budget.threshold',
          { flush: false },
        );
      }
      await this.em.flush();
    };
    if (budgets === null) await apply();
    else await budgets.guard.withinBudget(row.consumerId, addedMicros, this.em, apply);
    return toSessionDetail(this.em, row);
  }

  /** SSH and node access for the session's own consumer only (operators never see the secrets). */
  async credentials(caller: Caller, id: string): Promise<SessionCredentials> {
    if (caller.role !== 'consumer') throw new ForbiddenError('credentials are handed to the consumer that owns the session only');
    const row = await this.findOwned(caller, id);
    if (this.secrets === null || !row.nodeTokenEncrypted) throw new InvalidStateError(`session ${id} has no credentials`);
    if (row.state !== 'provisioning' && row.state !== 'ready') throw new InvalidStateError(`session ${id} is ${row.state}: its node is no longer reachable`);
    return {
      sessionId: row.id,
      nodeEndpoint: row.nodeEndpoint ?? null,
      nodeToken: this.secrets.open(row.nodeTokenEncrypted),
      ssh: {
        host: row.sshHost ?? null,
        port: row.sshPort ?? null,
        user: row.sshUser ?? 'root',
        publicKey: row.sshPublicKey ?? null,
        privateKey: row.sshPrivateKeyEncrypted ? this.secrets.open(row.sshPrivateKeyEncrypted) : null,
      },
    };
  }

  /** Immediate shutdown: the consumer for its own session, an operator for any. */
  async forceShutdown(caller: Caller, id: string): Promise<SessionDetail> {
    const row = await this.findOwned(caller, id);
    const fromState = row.state;
    if (beginShutdown(this.em, this.clock, row, { reason: 'forced shutdown', actor: actorOf(caller), endReason: 'forced', immediate: true })) {
      recordOperatorAction(this.em, this.clock, caller, 'session.force_shutdown', row.id, { consumerId: row.consumerId, fromState });
      await this.em.flush();
    } else if (row.state === 'stopping' && row.nextTeardownAt && row.nextTeardownAt > this.clock.now()) {
      // Already ending gracefully: forcing cuts the grace short.
      row.nextTeardownAt = this.clock.now();
      recordOperatorAction(this.em, this.clock, caller, 'session.force_shutdown', row.id, { consumerId: row.consumerId, fromState, graceCutShort: true });
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

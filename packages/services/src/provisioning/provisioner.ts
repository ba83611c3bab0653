// Provisioning: from "a 4090 for 2 hours" to an instance booting our agent. The session row is
// committed before any provider is called (write-ahead) and the instance id as soon as it is known,
// so a crash at any point leaves a trail the lifecycle manager can follow to zero orphans.
import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@gpu-shopper/db';
import { OptimisticLockError, raw, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Caller, Clock, Offer, ProviderName, Session, Workload } from '@gpu-shopper/domain';
import { ConflictError, IdempotencyConflictError, MS_PER_MINUTE, UnavailableError, usdToMicros, ValidationError } from '@gpu-shopper/domain';
import { ProvisionAttemptEntity, SessionEntity, type Orm, type SessionRow } from '@gpu-shopper/db';
import { CreateFailedError, OfferGoneError, type ProviderInstance } from '@gpu-shopper/providers';
import type { InventoryService } from '../inventory/inventory-service';
import type { ProviderRegistry } from '../provider-registry';
import type { SecretBox } from '../secrets/secret-box';
import { sha256Hex } from '../secrets/hash';
import { generateSshKeyPair } from '../secrets/ssh-keys';
import { actorOf, SYSTEM_ACTOR } from '../caller';
import { insertSession, toSession, transitionSession } from '../sessions/session-records';
import type { ProvisionRequest, SessionProvisioner } from '../sessions/session-service';
import { closeAllUsage, recordLeftoverUsage, recordUsage } from '../lifecycle/usage';
import { OfferClaims } from './offer-claims';
import { offerRequestOf, requestFingerprint, type OfferRequest } from './request-fingerprint';
import type { WebhookNotifier } from '../webhooks/webhook-notifier';
import { buildNodeSpec, type AgentBundle } from './node-spec';
import { workloadImages, type WorkloadImages } from './workload-images';
import type { SessionLeases } from '../coordination/session-leases';
import { annotateLogContext, withLogContext } from '../logging/log-context';
import { messageOf, log, type ServiceLogger } from '../logging/service-logger';

/** Serializes budget checks with the session insert (see BudgetGuard). */
export interface ProvisioningBudgetGuard {
  withinBudget<T>(consumerId: string, projectedMicros: number, em: EntityManager, insert: () => Promise<T>): Promise<T>;
}

export interface ProvisionerOptions {
  orm: Orm;
  clock: Clock;
  inventory: InventoryService;
  providers: ProviderRegistry;
  secrets: SecretBox;
  webhooks: WebhookNotifier;
  /** Identifies this installation in instance labels, so another deployment's instances are never touched. */
  deploymentId: string;
  /** Where nodes reach the shopper (GPU_SHOPPER_PUBLIC_URL). */
  shopperPublicUrl: string;
  bootstrapScript: string;
  /**
   * Where a node without the agent in its image downloads it (the shopper serves its own bundle) and
   * the bundle's SHA-256, which the bootstrap checks; asked at each rent (the server reads the bundle
   * on first use, not at start). Null, or none: nodes must have it in their image.
   */
  agentBundle?: () => AgentBundle | null;
  /**
   * The container image per workload (Vast runs it; a TensorDock VM pulls and runs it from
   * cloud-init); a workload without one gets its pinned default (DEFAULT_WORKLOAD_IMAGES).
   */
  images?: Partial<Record<Workload, string>>;
  diskGb?: number;
  /** Offers tried per session before giving up (failover), default 5. */
  maxAttempts?: number;
  /** How long a node may take from create to ready, per provider. */
  readyDeadlineMs?: Partial<Record<ProviderName, number>>;
  budgetGuard?: ProvisioningBudgetGuard;
  /** Renting runs in a log context naming the session, so the provider calls it makes say which. */
  logger?: ServiceLogger;
  /**
   * Several replicas: a session is held (leased) while this replica rents for it, so no other replica
   * resumes it meanwhile; a replica that dies mid-create leaves a lease that expires, and the
   * persisted session and attempts tell the next holder what to do (adopt by label, or rent on).
   */
  leases?: SessionLeases;
  /** Waits between retries of a destroy a failover left behind (tests: no wait); default real time. */
  sleep?: (ms: number) => Promise<void>;
}

/** Waits before each retry of an abandoned instance's destroy: some 60 s in all, then the orphan sweep. */
const ABANDONED_DESTROY_RETRY_MS = [2_000, 4_000, 8_000, 16_000, 30_000];

/** Timers that do not keep a stopping process alive. */
const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

export const DEFAULT_READY_DEADLINE_MS: Record<ProviderName, number> = { vastai: 15 * MS_PER_MINUTE, tensordock: 10 * MS_PER_MINUTE };
/** Offers tried per session (create failures and failovers together) before it fails. */
export const DEFAULT_MAX_ATTEMPTS = 5;
/** How many offers a request considers: enough for many concurrent requests to spread over. */
const CANDIDATE_LIMIT = 100;

export function hashNodeToken(token: string): string {
  return sha256Hex(token);
}

export class Provisioner implements SessionProvisioner {
  private readonly inFlight = new Map<string, Promise<void>>();
  /** Destroys of instances left behind by a failover, still being tried (see destroyAbandoned). */
  private readonly abandonedDestroys = new Set<Promise<void>>();
  private readonly claims: OfferClaims;
  private readonly images: WorkloadImages;

  constructor(private readonly options: ProvisionerOptions) {
    this.claims = new OfferClaims(options.clock);
    this.images = workloadImages(options.images);
  }

  private get maxAttempts(): number {
    return this.options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  }

  async provision(caller: Caller & { role: 'consumer' }, request: ProvisionRequest): Promise<Session> {
    const em = this.options.orm.em.fork();
    const fingerprint = requestFingerprint(request);
    if (request.idempotencyKey !== undefined) {
      const existing = await em.findOne(SessionEntity, { consumerId: caller.consumerId, idempotencyKey: request.idempotencyKey });
      if (existing !== null) return replayed(existing, request.idempotencyKey, fingerprint);
    }
    const offerRequest = offerRequestOf(request);
    const candidates = await this.candidates(offerRequest, new Set(), null);
    const first = candidates[0]!;
    const insert = async () => {
      const row = insertSession(em, this.options.clock, {
        consumerId: caller.consumerId,
        workload: request.workload,
        llmModel: request.llmModel ?? null,
        reservationHours: request.hours,
        deploymentId: this.options.deploymentId,
        idempotencyKey: request.idempotencyKey ?? null,
        actor: actorOf(caller),
      });
      row.requestFingerprint = fingerprint;
      row.provisionRequest = offerRequest as Record<string, unknown>;
      if (this.options.leases !== undefined) {
        // Held from its first write, so no other replica takes it for an interrupted provision.
        row.lockOwner = this.options.leases.owner;
        row.lockExpiresAt = new Date(this.options.clock.now().getTime() + this.options.leases.ttlMs);
      }
      this.applyOffer(row, first);
      this.issueNodeToken(row);
      row.sshUser = 'root';
      if (request.sshPublicKey !== undefined) {
        row.sshPublicKey = request.sshPublicKey;
      } else {
        const pair = generateSshKeyPair(`gpu-shopper ${row.id}`);
        row.sshPublicKey = pair.publicKey;
        row.sshPrivateKeyEncrypted = this.options.secrets.seal(pair.privateKey);
      }
      await em.flush();
      annotateLogContext({ sessionId: row.id });
      return row;
    };
    let row: SessionRow;
    try {
      const projectedMicros = usdToMicros(first.pricePerHourUsd * request.hours);
      row = this.options.budgetGuard ? await this.options.budgetGuard.withinBudget(caller.consumerId, projectedMicros, em, insert) : await insert();
    } catch (error) {
      // Two requests with one idempotency key raced: the loser answers with the winner's session.
      if (error instanceof UniqueConstraintViolationException && request.idempotencyKey !== undefined) {
        const winner = await this.options.orm.em.fork().findOne(SessionEntity, { consumerId: caller.consumerId, idempotencyKey: request.idempotencyKey });
        if (winner !== null) return replayed(winner, request.idempotencyKey, fingerprint);
      }
      throw error;
    }
    this.track(row.id, () => this.rentNext(row.id, candidates));
    return toSession(row);
  }

  /** Whether a create call may be under way for this session in this process. */
  isInFlight(sessionId: string): boolean {
    return this.inFlight.has(sessionId);
  }

  /** Resolves once the renting of every in-flight session has settled (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight.values()]);
  }

  /** Once the destroys a failover left behind are done or given up to the orphan sweep (tests). */
  async abandonedDestroysSettled(): Promise<void> {
    while (this.abandonedDestroys.size > 0) await Promise.allSettled([...this.abandonedDestroys]);
  }

  /**
   * The session's current instance will not become ready (deadline passed, the provider ended it,
   * its agent failed): record why on its attempt, destroy it, and rent the next offer while attempts
   * and the reservation allow. False when the session cannot fail over (the caller ends it).
   */
  async failover(sessionId: string, outcome: 'deadline' | 'lost' | 'failed', reason: string, stoppedAt?: Date): Promise<boolean> {
    const { logger } = this.options;
    if (this.inFlight.has(sessionId)) return true;
    let previous: { provider: ProviderName; instanceId: string } | null = null;
    // A heartbeat may write the row meanwhile: read again and redo, rather than give the session up.
    for (let tries = 1; previous === null; tries += 1) {
      try {
        previous = await this.detachForFailover(sessionId, outcome, reason, stoppedAt);
        if (previous === null) return false;
      } catch (error) {
        if (!(error instanceof OptimisticLockError) || tries >= 5) throw error;
      }
    }
    const { provider, instanceId } = previous;
    logger?.warn(`provisioning ${sessionId}: ${reason}; destroying ${provider} instance ${instanceId} and failing over`, { sessionId, provider, instanceId, outcome, reason });
    this.destroyAbandoned(sessionId, provider, instanceId);
    this.track(sessionId, () => this.rentNext(sessionId, []));
    return true;
  }

  /**
   * Destroys the instance a failover left behind, not awaited (a destroy can hang until the adapter
   * gives up). A provider outage outlasts the adapter's own retries, and the instance bills until it
   * is gone, so the destroy is tried again a few times over about a minute; after that the instance
   * still carries our label, and the orphan sweep destroys it.
   */
  private destroyAbandoned(sessionId: string, provider: ProviderName, instanceId: string): void {
    const { logger } = this.options;
    const sleep = this.options.sleep ?? realSleep;
    const attempt = async (round: number): Promise<void> => {
      try {
        await this.options.providers.get(provider).destroyInstance(instanceId);
      } catch (error) {
        // Debug: the failed destroy call itself was logged by the instrumented adapter.
        const last = round >= ABANDONED_DESTROY_RETRY_MS.length;
        log(logger, 'debug', `provisioning ${sessionId}: destroying ${instanceId} failed, ${last ? 'the sweep will retry' : 'trying again'}: ${errorMessage(error)}`, { sessionId, provider, instanceId, error: messageOf(error) });
        if (last) return;
        await sleep(ABANDONED_DESTROY_RETRY_MS[round]!);
        await attempt(round + 1);
      }
    };
    const destroying = attempt(0).finally(() => this.abandonedDestroys.delete(destroying));
    this.abandonedDestroys.add(destroying);
  }

  /** Closes the failed attempt and detaches its instance from the session; null when it cannot fail over. */
  private async detachForFailover(sessionId: string, outcome: 'deadline' | 'lost' | 'failed', reason: string, stoppedAt?: Date): Promise<{ provider: ProviderName; instanceId: string } | null> {
    const { clock } = this.options;
    const em = this.options.orm.em.fork();
    const row = await em.findOne(SessionEntity, { id: sessionId });
    if (row === null || row.state !== 'provisioning' || !row.providerInstanceId || !row.provider) return null;
    if (row.provisionAttempts >= this.maxAttempts || clock.now() >= row.reservationEndsAt) return null;
    const previous = { provider: row.provider, instanceId: row.providerInstanceId };
    const record = await em.findOne(ProvisionAttemptEntity, { sessionId, instanceId: previous.instanceId }, { orderBy: { id: 'desc' } });
    if (record !== null) Object.assign(record, { outcome, error: reason, finishedAt: clock.now() });
    await closeAllUsage(em, row, stoppedAt ?? clock.now());
    detachInstance(row);
    // The old node must not speak for the session any more (a destroy that fails leaves it running).
    this.issueNodeToken(row);
    row.failureReason = `attempt ${row.provisionAttempts} on ${row.offerId ?? '?'}: ${reason}`;
    row.updatedAt = clock.now();
    await em.flush();
    return previous;
  }

  /** After a restart: a session in provisioning with no instance and nothing renting it carries on. */
  resume(sessionId: string): void {
    if (this.inFlight.has(sessionId)) return;
    this.track(sessionId, () => this.rentNext(sessionId, []));
  }

  private track(sessionId: string, rent: () => Promise<void>): void {
    const tracked = withLogContext({ sessionId }, rent)
      .catch((error: unknown) => log(this.options.logger, 'error', `provisioning ${sessionId} failed unexpectedly: ${errorMessage(error)}`, { sessionId, error: messageOf(error) }))
      .finally(() => {
        if (this.inFlight.get(sessionId) === tracked) this.inFlight.delete(sessionId);
      });
    this.inFlight.set(sessionId, tracked);
  }

  /**
   * Offers matching the request, cheapest first, without the ones in `exclude` or claimed by other
   * sessions. Throws when none matches at all (the request cannot be served from this menu).
   */
  private async candidates(request: OfferRequest, exclude: ReadonlySet<string>, sessionId: string | null): Promise<Offer[]> {
    const { inventory } = this.options;
    // A stale offer (its provider's menu could not be refreshed) is rented only while that provider
    // merely rate-limits our listings: the 5-minute cache is there to be rented from. A provider
    // failing to list would most likely refuse the create too; a retryable 503 says so (below).
    const usable = (offers: readonly Offer[]) => {
      const rateLimited = new Set(inventory.statuses().flatMap((status) => (status.rateLimited ? [status.provider] : [])));
      return offers.filter((offer) => (!offer.stale || rateLimited.has(offer.provider)) && !exclude.has(offer.id) && this.options.providers.has(offer.provider) && (sessionId === null || this.claims.isAvailable(offer.id, sessionId)));
    };
    if (request.offerId !== undefined) {
      const chosen = await inventory.findOffer(request.offerId);
      if (chosen === null && sessionId === null) throw new ValidationError('offerId', `offer ${request.offerId} is not on the menu (it may have been rented out); search again`);
      // Failover alternatives: the same model, within the consumer's cap (or the chosen price).
      const model = chosen ?? null;
      if (model === null) return [];
      const cap = request.maxPricePerHourUsd ?? model.pricePerHourUsd;
      if (model.pricePerHourUsd > cap) throw new ValidationError('maxPricePerHourUsd', `offer ${model.id} costs ${model.pricePerHourUsd.toFixed(3)} $/h, above the cap`);
      const { offers } = await inventory.search({ gpu: model.gpuModel, minVramGb: model.vramGbPerGpu, minGpus: model.gpuCount, maxPricePerHourUsd: cap, sort: 'price', limit: CANDIDATE_LIMIT });
      return usable([model, ...offers.filter((offer) => offer.id !== model.id)]);
    }
    const { offers, providers } = await inventory.search({
      gpu: request.gpu,
      minVramGb: request.minVramGb,
      maxPricePerHourUsd: request.maxPricePerHourUsd,
      region: request.region,
      provider: request.provider,
      sort: 'price',
      limit: CANDIDATE_LIMIT,
    });
    const found = usable(offers);
    if (found.length === 0 && sessionId === null) {
      // An empty menu because a provider could not be read (just started, outage) is not "nothing
      // matches": say so, as a retryable 503.
      // (A stale menu of a rate-limited provider was rentable: only an empty one counts then.)
      const unread = providers.filter((status) => status.error !== null && (status.status === 'empty' || (status.status === 'stale' && !status.rateLimited)) && (request.provider === undefined || status.provider === request.provider));
      if (unread.length > 0) throw new UnavailableError(`offers could not be fetched from ${unread.map((status) => `${status.provider} (${status.error})`).join(', ')}; retry shortly`);
      throw new ConflictError(`no offer on the menu matches ${describeRequest(request)}`);
    }
    return found;
  }

  private applyOffer(row: SessionRow, offer: Offer): void {
    row.offerId = offer.id;
    row.provider = offer.provider;
    row.gpuModel = offer.gpuModel;
    row.pricePerHourUsd = offer.pricePerHourUsd;
    row.computePerHourUsd = offer.priceBreakdown.computePerHourUsd;
    row.storagePerHourUsd = offer.priceBreakdown.storagePerHourUsd;
    row.diskGb = offer.diskGb;
  }

  private issueNodeToken(row: SessionRow): void {
    const nodeToken = `gsn_${randomBytes(32).toString('base64url')}`;
    row.nodeTokenHash = hashNodeToken(nodeToken);
    row.nodeTokenEncrypted = this.options.secrets.seal(nodeToken);
  }

  /** Rents for the session while holding its lease (renewed as it goes); leaves it to the replica that holds it otherwise. */
  private async rentNext(sessionId: string, queue: Offer[]): Promise<void> {
    const { leases, logger } = this.options;
    if (leases === undefined) return this.rent(sessionId, queue);
    const claim = await leases.claimOne(sessionId);
    if (claim === null) {
      log(logger, 'info', `provisioning ${sessionId}: another replica holds this session; leaving it to that replica`, { sessionId });
      return;
    }
    const renew = setInterval(() => void leases.claim([sessionId]).catch(() => undefined), Math.max(1, Math.floor(leases.ttlMs / 3)));
    renew.unref?.();
    try {
      await this.rent(sessionId, queue);
    } finally {
      clearInterval(renew);
      await claim.release().catch(() => undefined);
    }
  }

  /**
   * Tries offers until one is rented: first `queue`, then a fresh search (once), skipping offers this
   * session already tried and offers other sessions hold. Every attempt is recorded on the session.
   */
  private async rent(sessionId: string, queue: Offer[]): Promise<void> {
    const { clock, logger } = this.options;
    const seen = await this.options.orm.em.fork().find(ProvisionAttemptEntity, { sessionId }, { fields: ['offerId'] });
    const tried = new Set(seen.map((attempt) => attempt.offerId));
    let pending = [...queue];
    let searched = false;
    for (;;) {
      const em = this.options.orm.em.fork();
      const row = await em.findOne(SessionEntity, { id: sessionId });
      if (row === null || row.state !== 'provisioning' || row.providerInstanceId) return; // cancelled or adopted meanwhile
      if (row.provisionAttempts >= this.maxAttempts || clock.now() >= row.reservationEndsAt) break;
      const offer = pending.find((candidate) => !tried.has(candidate.id) && this.claims.claim(candidate.id, sessionId));
      if (offer === undefined) {
        if (searched) break;
        searched = true;
        pending = await this.candidates((row.provisionRequest ?? {}) as OfferRequest, tried, sessionId).catch((error: unknown) => {
          logger?.warn(`provisioning ${sessionId}: searching for another offer failed: ${errorMessage(error)}`, { sessionId, error: messageOf(error) });
          return [];
        });
        continue;
      }
      tried.add(offer.id);
      const attempt = row.provisionAttempts + 1;
      this.applyOffer(row, offer);
      if (!row.nodeTokenEncrypted) this.issueNodeToken(row);
      row.provisionAttempts = attempt;
      const record = em.create(ProvisionAttemptEntity, { sessionId, attempt, provider: offer.provider, offerId: offer.id, instanceId: null, outcome: 'pending', error: null, startedAt: clock.now(), finishedAt: null });
      try {
        await em.flush();
      } catch (error) {
        this.claims.release(offer.id);
        if (error instanceof OptimisticLockError) continue; // a heartbeat or an operator wrote meanwhile: read again
        throw error;
      }
      let instance: ProviderInstance;
      try {
        instance = await this.options.providers.get(offer.provider).createInstance(offer, this.nodeSpec(row, offer));
      } catch (error) {
        const message = errorMessage(error);
        Object.assign(record, { outcome: error instanceof OfferGoneError ? 'offer_gone' : 'failed', error: message, finishedAt: clock.now() });
        if (error instanceof OfferGoneError) {
          // Gone for everyone: off the menu now, and the menu fetched again in the background.
          this.claims.retire(offer.id);
          this.options.inventory.withdrawOffer(offer);
          this.options.inventory.refreshInBackground(offer.provider);
        } else {
          this.claims.release(offer.id);
        }
        if (error instanceof CreateFailedError && error.createdInstanceId !== null) {
          record.instanceId = error.createdInstanceId;
          // A failed create that still made an instance: it carries our label, so the provider
          // sweep destroys it if this best effort does not.
          if (!error.orphanDestroyed) await this.options.providers.get(offer.provider).destroyInstance(error.createdInstanceId).catch(() => undefined);
          // The provider bills it from its creation to its deletion all the same: charged to the session.
          await recordLeftoverUsage(em, row, error.createdInstanceId, offer.provider, record.startedAt, error.createdInstanceRunning === true, clock.now());
        }
        await em.flush();
        // Info: the failed create call itself was logged (a warning) by the instrumented adapter.
        log(logger, 'info', `provisioning ${sessionId}: attempt ${attempt} on ${offer.id} failed: ${message}`, { sessionId, attempt, provider: offer.provider, offerId: offer.id, error: message });
        continue;
      }
      this.claims.retire(offer.id);
      this.options.inventory.withdrawOffer(offer);
      await this.commitInstance(sessionId, record.id, offer, instance);
      log(logger, 'info', 'provisioning: instance created', { sessionId, attempt, provider: offer.provider, offerId: offer.id, instanceId: instance.instanceId });
      return;
    }
    const em = this.options.orm.em.fork();
    const row = await em.findOne(SessionEntity, { id: sessionId });
    if (row === null || row.state !== 'provisioning' || row.providerInstanceId) return;
    const attempts = await em.find(ProvisionAttemptEntity, { sessionId }, { orderBy: { attempt: 'asc' } });
    const failures = attempts.map((attempt) => `${attempt.offerId}: ${attempt.outcome}${attempt.error ? ` (${attempt.error})` : ''}`);
    transitionSession(em, clock, row, 'failed', { reason: 'no offer could be rented', actor: SYSTEM_ACTOR, endReason: 'provision_failed', failureReason: failures.join('; ') || 'no candidate offer' });
    await this.options.webhooks.notify('session.failed', row.consumerId, { sessionId, reason: row.failureReason }, { em });
    await em.flush();
  }

  /**
   * Records the created instance on the session. A booting node heartbeats (bumping the session's
   * version) as soon as it runs, possibly before the create answer arrives: this write must never be
   * lost to an optimistic-lock race, or a running instance would be owned by no one. So it is a
   * targeted update of the fields only provisioning writes (plus the version, so stale readers retry),
   * in one transaction with the attempt and the storage meter.
   */
  private async commitInstance(sessionId: string, attemptId: number, offer: Offer, instance: ProviderInstance): Promise<void> {
    const { clock } = this.options;
    const now = clock.now();
    await this.options.orm.em.fork().transactional(async (em) => {
      await em.nativeUpdate(
        SessionEntity,
        { id: sessionId },
        {
          providerInstanceId: instance.instanceId,
          instanceState: instance.state,
          instanceSeenAt: now,
          instanceSeenNotRunningAt: instance.state === 'running' ? null : now,
          provisionDeadlineAt: new Date(now.getTime() + (this.options.readyDeadlineMs?.[offer.provider] ?? DEFAULT_READY_DEADLINE_MS[offer.provider])),
          updatedAt: now,
          version: raw('version + 1'),
        },
      );
      await em.nativeUpdate(ProvisionAttemptEntity, { id: attemptId }, { instanceId: instance.instanceId, outcome: 'created', finishedAt: now });
      const row = await em.findOneOrFail(SessionEntity, { id: sessionId }, { refresh: true });
      await recordUsage(em, row, 'storage_started', now);
    });
  }

  private nodeSpec(row: SessionRow, offer: Offer) {
    return buildNodeSpec(
      {
        sessionId: row.id,
        label: row.label,
        nodeToken: this.options.secrets.open(row.nodeTokenEncrypted ?? ''),
        reservationEndsAt: row.reservationEndsAt,
        workload: row.workload,
        llmModel: row.llmModel ?? null,
        sshPublicKey: row.sshPublicKey ?? null,
        shopperPublicUrl: this.options.shopperPublicUrl,
        bootstrapScript: this.options.bootstrapScript,
        agentBundle: this.options.agentBundle?.() ?? null,
        image: this.images[row.workload],
        diskGb: this.options.diskGb ?? offer.diskGb,
      },
      offer,
    );
  }
}

/** An idempotent replay: the first request's session, or 422 when the body differs. */
function replayed(row: SessionRow, idempotencyKey: string, fingerprint: string): Session {
  if (row.requestFingerprint && row.requestFingerprint !== fingerprint) throw new IdempotencyConflictError(idempotencyKey);
  return toSession(row);
}

/** Forgets everything about the instance a failed attempt had (the next attempt gets its own). */
function detachInstance(row: SessionRow): void {
  row.providerInstanceId = null;
  row.instanceState = null;
  row.nodeEndpoint = null;
  row.sshHost = null;
  row.sshPort = null;
  row.agentReady = false;
  row.agentIdle = false;
  row.agentIdleSince = null;
  row.lastHeartbeatAt = null;
  row.provisionDeadlineAt = null;
  row.instanceSeenAt = null;
  row.instanceSeenRunningAt = null;
  row.instanceSeenNotRunningAt = null;
  row.destroyRequestedAt = null;
  row.agentStartedAt = null;
  row.nodeStoppedAt = null;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function describeRequest(request: OfferRequest): string {
  const parts = [request.gpu && `gpu=${request.gpu}`, request.minVramGb && `min VRAM ${request.minVramGb} GB`, request.maxPricePerHourUsd && `max ${request.maxPricePerHourUsd} $/h`, request.region && `region ${request.region}`, request.provider && `provider ${request.provider}`];
  return parts.filter(Boolean).join(', ') || 'the request';
}

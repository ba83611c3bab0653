// Provisioning: from "a 4090 for 2 hours" to an instance booting our agent. The session row is
// committed before any provider is called (write-ahead) and the instance id as soon as it is known,
// so a crash at any point leaves a trail the lifecycle manager can follow to zero orphans.
import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/sqlite';
import { OptimisticLockError, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Caller, Clock, Offer, ProviderName, Session } from '@gpu-shopper/domain';
import { ConflictError, MS_PER_MINUTE, usdToMicros, ValidationError } from '@gpu-shopper/domain';
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
import { recordUsage } from '../lifecycle/usage';
import type { WebhookNotifier } from '../webhooks/webhook-notifier';
import { buildNodeSpec } from './node-spec';

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
  images?: Partial<Record<ProviderName, string>>;
  diskGb?: number;
  /** Offers tried per session before giving up (failover). */
  maxAttempts?: number;
  /** How long a node may take from create to ready, per provider. */
  readyDeadlineMs?: Partial<Record<ProviderName, number>>;
  budgetGuard?: ProvisioningBudgetGuard;
  logger?: { warn(message: string): void };
}

export const DEFAULT_READY_DEADLINE_MS: Record<ProviderName, number> = { vastai: 15 * MS_PER_MINUTE, tensordock: 10 * MS_PER_MINUTE };
const DEFAULT_IMAGES: Record<ProviderName, string> = { vastai: 'nvidia/cuda:12.4.1-runtime-ubuntu22.04', tensordock: 'ubuntu2404' };

export function hashNodeToken(token: string): string {
  return sha256Hex(token);
}

export class Provisioner implements SessionProvisioner {
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(private readonly options: ProvisionerOptions) {}

  async provision(caller: Caller & { role: 'consumer' }, request: ProvisionRequest): Promise<Session> {
    const em = this.options.orm.em.fork();
    if (request.idempotencyKey !== undefined) {
      const existing = await em.findOne(SessionEntity, { consumerId: caller.consumerId, idempotencyKey: request.idempotencyKey });
      if (existing !== null) return toSession(existing);
    }
    const candidates = await this.candidates(request);
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
      this.applyOffer(row, first);
      const nodeToken = `gsn_${randomBytes(32).toString('base64url')}`;
      row.nodeTokenHash = hashNodeToken(nodeToken);
      row.nodeTokenEncrypted = this.options.secrets.seal(nodeToken);
      row.sshUser = 'root';
      if (request.sshPublicKey !== undefined) {
        row.sshPublicKey = request.sshPublicKey;
      } else {
        const pair = generateSshKeyPair(`gpu-shopper ${row.id}`);
        row.sshPublicKey = pair.publicKey;
        row.sshPrivateKeyEncrypted = this.options.secrets.seal(pair.privateKey);
      }
      await em.flush();
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
        if (winner !== null) return toSession(winner);
      }
      throw error;
    }
    const running = this.rentFirstAvailable(row.id, candidates).finally(() => this.inFlight.delete(row.id));
    this.inFlight.set(row.id, running);
    return toSession(row);
  }

  /** Whether a create call may be under way for this session in this process. */
  isInFlight(sessionId: string): boolean {
    return this.inFlight.has(sessionId);
  }

  /** Resolves once the renting of every in-flight session has settled (tests, shutdown). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.inFlight.values()]);
  }

  private async candidates(request: ProvisionRequest): Promise<Offer[]> {
    const { inventory } = this.options;
    if (request.offerId !== undefined) {
      const chosen = await inventory.findOffer(request.offerId);
      if (chosen === null) throw new ValidationError('offerId', `offer ${request.offerId} is not on the menu (it may have been rented out); search again`);
      // Failover alternatives: the same model, within the consumer's cap (or the chosen price).
      const cap = request.maxPricePerHourUsd ?? chosen.pricePerHourUsd;
      if (chosen.pricePerHourUsd > cap) throw new ValidationError('maxPricePerHourUsd', `offer ${chosen.id} costs ${chosen.pricePerHourUsd.toFixed(3)} $/h, above the cap`);
      const { offers } = await inventory.search({ gpu: chosen.gpuModel, minVramGb: chosen.vramGbPerGpu, minGpus: chosen.gpuCount, maxPricePerHourUsd: cap, sort: 'price', limit: 20 });
      return [chosen, ...offers.filter((offer) => offer.id !== chosen.id && !offer.stale && this.options.providers.has(offer.provider))];
    }
    const { offers } = await inventory.search({
      gpu: request.gpu,
      minVramGb: request.minVramGb,
      maxPricePerHourUsd: request.maxPricePerHourUsd,
      region: request.region,
      provider: request.provider,
      sort: 'price',
      limit: 20,
    });
    const usable = offers.filter((offer) => !offer.stale && this.options.providers.has(offer.provider));
    if (usable.length === 0) throw new ConflictError(`no offer on the menu matches ${describeRequest(request)}`);
    return usable;
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

  /** Tries the candidates in order until one is rented; records every attempt. */
  private async rentFirstAvailable(sessionId: string, candidates: Offer[]): Promise<void> {
    const { clock, logger } = this.options;
    const maxAttempts = Math.min(this.options.maxAttempts ?? 3, candidates.length);
    const failures: string[] = [];
    for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
      const offer = candidates[attempt - 1]!;
      const em = this.options.orm.em.fork();
      const row = await em.findOne(SessionEntity, { id: sessionId });
      if (row === null || row.state !== 'provisioning' || row.providerInstanceId) return; // cancelled or adopted meanwhile
      this.applyOffer(row, offer);
      row.provisionAttempts = attempt;
      const record = em.create(ProvisionAttemptEntity, { sessionId, attempt, provider: offer.provider, offerId: offer.id, instanceId: null, outcome: 'pending', error: null, startedAt: clock.now(), finishedAt: null });
      await em.flush();
      let instance: ProviderInstance;
      try {
        instance = await this.options.providers.get(offer.provider).createInstance(offer, this.nodeSpec(row, offer));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        failures.push(`${offer.id}: ${message}`);
        Object.assign(record, { outcome: error instanceof OfferGoneError ? 'offer_gone' : 'failed', error: message, finishedAt: clock.now() });
        if (error instanceof CreateFailedError && error.createdInstanceId !== null) {
          record.instanceId = error.createdInstanceId;
          // A failed create that still made an instance: it carries our label, so the provider
          // sweep destroys it if this best effort does not.
          if (!error.orphanDestroyed) await this.options.providers.get(offer.provider).destroyInstance(error.createdInstanceId).catch(() => undefined);
        }
        await em.flush();
        logger?.warn(`provisioning ${sessionId}: attempt ${attempt} on ${offer.id} failed: ${message}`);
        continue;
      }
      await this.commitInstance(sessionId, record.id, offer, instance);
      return;
    }
    const em = this.options.orm.em.fork();
    const row = await em.findOne(SessionEntity, { id: sessionId });
    if (row === null || row.state !== 'provisioning' || row.providerInstanceId) return;
    transitionSession(em, clock, row, 'failed', { reason: 'no offer could be rented', actor: SYSTEM_ACTOR, endReason: 'provision_failed', failureReason: failures.join('; ') || 'no candidate offer' });
    await em.flush();
    await this.options.webhooks.notify('session.failed', row.consumerId, { sessionId, reason: row.failureReason });
  }

  /**
   * Records the created instance on the session. A node that boots fast may heartbeat (and so bump
   * the session's version) before the create answer arrives: the write is redone on a fresh read
   * rather than lost, which would leave a running instance that no session owns.
   */
  private async commitInstance(sessionId: string, attemptId: number, offer: Offer, instance: ProviderInstance): Promise<void> {
    const { clock } = this.options;
    for (let tries = 1; ; tries += 1) {
      const em = this.options.orm.em.fork();
      const row = await em.findOneOrFail(SessionEntity, { id: sessionId });
      const record = await em.findOneOrFail(ProvisionAttemptEntity, { id: attemptId });
      row.providerInstanceId = instance.instanceId;
      row.instanceState = instance.state;
      row.provisionDeadlineAt = new Date(clock.now().getTime() + (this.options.readyDeadlineMs?.[offer.provider] ?? DEFAULT_READY_DEADLINE_MS[offer.provider]));
      Object.assign(record, { instanceId: instance.instanceId, outcome: 'created', finishedAt: clock.now() });
      await recordUsage(em, row, 'storage_started', clock.now());
      try {
        await em.flush();
        return;
      } catch (error) {
        if (!(error instanceof OptimisticLockError) || tries >= 5) throw error;
      }
    }
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
        image: this.options.images?.[offer.provider] ?? DEFAULT_IMAGES[offer.provider],
        diskGb: this.options.diskGb ?? offer.diskGb,
      },
      offer,
    );
  }
}

function describeRequest(request: ProvisionRequest): string {
  const parts = [request.gpu && `gpu=${request.gpu}`, request.minVramGb && `min VRAM ${request.minVramGb} GB`, request.maxPricePerHourUsd && `max ${request.maxPricePerHourUsd} $/h`, request.region && `region ${request.region}`, request.provider && `provider ${request.provider}`];
  return parts.filter(Boolean).join(', ') || 'the request';
}

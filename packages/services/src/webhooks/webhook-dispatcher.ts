// The WebhookNotifier behind every service: queues events in the delivery log (an outbox, written in
// the caller's own transaction), then a scheduled `deliverDue` claims, signs and POSTs them, retrying
// with back-off until delivered or given up. Design and locking: WEBHOOKS.md beside this file.
import { randomUUID } from 'node:crypto';
import { FlushMode, LockMode } from '@mikro-orm/core';
import type { Clock } from '@gpu-shopper/domain';
import { NotFoundError } from '@gpu-shopper/domain';
import { ConsumerEntity, dialectOfOrm, WebhookDeliveryEntity, type Orm, type WebhookDeliveryRow } from '@gpu-shopper/db';
import { newId } from '../ids';
import { log, type LogFields, type ServiceLogger } from '../logging/service-logger';
import type { SecretBox } from '../secrets/secret-box';
import { retryDelayMs } from './webhook-backoff';
import { toWebhookDelivery, type WebhookDelivery, type WebhookEnvelope } from './webhook-deliveries';
import type { NotifyOptions, WebhookEvent, WebhookNotifier } from './webhook-notifier';
import { postWebhook } from './webhook-post';
import { WebhookSecretResolver, WebhookSecretUnavailableError } from './webhook-secrets';
import { generateWebhookSecret, signWebhook } from './webhook-signature';
import { assertWebhookUrl, webhookUrlProblem } from './webhook-url';

export interface WebhookDispatcherOptions {
  orm: Orm;
  clock: Clock;
  secrets: SecretBox;
  operatorWebhookUrl: string | null;
  operatorWebhookSecret: string | null;
  fetch?: typeof fetch;
  timeoutMs?: number;
  /** Attempts before a delivery is marked failed for good. */
  maxAttempts?: number;
  /** A delivery's first failed attempt is a warning and its giving up an error; the retries between are debug lines. */
  logger?: ServiceLogger;
  /** Deliveries sent per `deliverDue` call; the rest wait for the next tick. */
  batchSize?: number;
  /** Deliveries in flight at once, so one slow receiver does not hold up the others. */
  concurrency?: number;
  /** Jitter source; injectable for deterministic tests. */
  random?: () => number;
  /**
   * How long a claimed batch is ours before another replica may take it over (a crashed replica's
   * claims expire). Default: twice the worst case of one batch, at least a minute.
   */
  claimTtlMs?: number;
}

export interface DeliveryCounts {
  delivered: number;
  /** Given up on in this call (attempts exhausted, or undeliverable). */
  failed: number;
  retried: number;
}

export const WEBHOOK_USER_AGENT = 'gpu-shopper-webhooks/1';
const MAX_ERROR_LENGTH = 500;
const MAX_LIST_LIMIT = 500;
const MIN_CLAIM_TTL_MS = 60_000;

type DeliveryUpdate = Pick<WebhookDeliveryRow, 'status' | 'attempts' | 'lastError' | 'nextAttemptAt' | 'deliveredAt'>;

export class WebhookDispatcher implements WebhookNotifier {
  private readonly orm: Orm;
  private readonly clock: Clock;
  private readonly secrets: SecretBox;
  private readonly operatorWebhookUrl: string | null;
  private readonly operatorWebhookSecret: string | null;
  private readonly fetch: typeof fetch;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly logger: ServiceLogger;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly random: () => number;
  private readonly claimTtlMs: number;
  /** In-process guard against a slow tick overlapping the next; replicas are kept apart by claims. */
  private delivering = false;

  constructor(options: WebhookDispatcherOptions) {
    this.orm = options.orm;
    this.clock = options.clock;
    this.secrets = options.secrets;
    this.operatorWebhookUrl = options.operatorWebhookUrl;
    this.operatorWebhookSecret = options.operatorWebhookSecret;
    this.fetch = options.fetch ?? globalThis.fetch;
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.maxAttempts = options.maxAttempts ?? 8;
    this.logger = options.logger ?? { warn: (msg) => console.warn(msg) };
    this.batchSize = options.batchSize ?? 100;
    this.concurrency = options.concurrency ?? 4;
    this.random = options.random ?? Math.random;
    // A batch sends in ceil(batch / concurrency) rounds of at most timeoutMs each; doubled for the
    // database writes and secret look-ups around them.
    this.claimTtlMs = options.claimTtlMs ?? Math.max(MIN_CLAIM_TTL_MS, 2 * Math.ceil(this.batchSize / this.concurrency) * this.timeoutMs);
    if (this.operatorWebhookUrl !== null && this.operatorWebhookSecret === null) {
      this.logger.warn("webhooks: an operator webhook URL is set without a secret; the operators' copies will fail");
    }
  }

  /**
   * With `options.em` the deliveries join that entity manager unflushed (the outbox): they commit, or
   * not, with the caller's change. Without it they are saved at once on a fork of their own.
   */
  async notify(event: WebhookEvent, consumerId: string | null, payload: Record<string, unknown>, options: NotifyOptions = {}): Promise<void> {
    try {
      const em = options.em ?? this.orm.em.fork();
      const now = this.clock.now();
      const envelope: WebhookEnvelope = { id: newId('evt'), event, occurredAt: now.toISOString(), consumerId, data: payload };
      // Round-trip through JSON now: what is stored is exactly what will be sent (Dates as ISO strings),
      // and an unserializable payload fails here, plainly, rather than inside the ORM.
      const storedPayload = JSON.parse(JSON.stringify(envelope)) as WebhookEnvelope;
      const targets: { consumerId: string | null; url: string }[] = [];
      if (consumerId !== null) {
        // Never an automatic flush of the caller's pending changes: they are the caller's to flush.
        const url = options.url ?? (await em.findOne(ConsumerEntity, { id: consumerId }, { flushMode: FlushMode.COMMIT }))?.webhookUrl ?? null;
        if (url !== null) targets.push({ consumerId, url });
      } else if (options.url !== undefined) {
        // A global budget's own webhook: an operators' destination, so signed with their secret.
        targets.push({ consumerId: null, url: options.url });
      }
      if (this.operatorWebhookUrl !== null && !targets.some((t) => t.consumerId === null && t.url === this.operatorWebhookUrl)) {
        targets.push({ consumerId: null, url: this.operatorWebhookUrl });
      }
      for (const target of targets) {
        // A bad URL is logged as failed at once, so its owner sees why nothing arrives.
        const problem = webhookUrlProblem(target.url);
        em.create(WebhookDeliveryEntity, {
          id: newId('whd'),
          createdAt: now,
          consumerId: target.consumerId,
          event,
          url: target.url,
          payload: storedPayload,
          status: problem === null ? 'pending' : 'failed',
          attempts: 0,
          nextAttemptAt: problem === null ? now : null,
          lastError: problem,
          deliveredAt: null,
          claimToken: null,
          claimExpiresAt: null,
        });
      }
      if (options.em === undefined && targets.length > 0) await em.flush();
    } catch (error) {
      this.logger.warn(`webhooks: could not queue ${event}${consumerId === null ? '' : ` for ${consumerId}`}: ${errorMessage(error)}`, { event, consumerId, error: errorMessage(error) });
    }
  }

  /**
   * Claims a batch of due deliveries in the database and sends it. Every replica may call this at
   * once: a claimed delivery is sent by its claimant only, until the claim expires (claimTtlMs).
   * Overlapping calls in one process (a slow tick) return at once.
   */
  async deliverDue(): Promise<DeliveryCounts> {
    const counts: DeliveryCounts = { delivered: 0, failed: 0, retried: 0 };
    if (this.delivering) return counts;
    this.delivering = true;
    try {
      const claimed = await this.claimDue();
      const secrets = new WebhookSecretResolver(this.orm, this.secrets, this.operatorWebhookSecret);
      await forEachConcurrently(claimed, this.concurrency, async (row) => {
        try {
          counts[await this.attempt(row, secrets)] += 1;
        } catch (error) {
          // Still pending: sent again once the claim expires (or by whoever took it over).
          this.logger.warn(`webhooks: delivery ${row.id} could not be recorded: ${errorMessage(error)}`, { ...deliveryFields(row), error: errorMessage(error) });
        }
      });
      return counts;
    } finally {
      this.delivering = false;
    }
  }

  /**
   * Marks up to batchSize due deliveries with a fresh claim token, in one transaction, and returns
   * those carrying it. On PostgreSQL the due rows are selected FOR UPDATE SKIP LOCKED: replicas
   * claiming at the same moment take disjoint batches instead of queueing. SQLite (one replica, one
   * writer) needs no row lock; the fenced update below is what makes a claim exclusive either way.
   */
  private async claimDue(): Promise<WebhookDeliveryRow[]> {
    const now = this.clock.now();
    const claimToken = randomUUID();
    const claimExpiresAt = new Date(now.getTime() + this.claimTtlMs);
    const claimable = { status: 'pending' as const, nextAttemptAt: { $lte: now }, $or: [{ claimToken: null }, { claimExpiresAt: { $lte: now } }] };
    const lock = dialectOfOrm(this.orm) === 'postgresql' ? { lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE as const } : {};
    const claimedCount = await this.orm.em.fork().transactional(async (em) => {
      const due = await em.find(WebhookDeliveryEntity, claimable, { fields: ['id'], orderBy: { nextAttemptAt: 'asc', id: 'asc' }, limit: this.batchSize, ...lock });
      if (due.length === 0) return 0;
      return em.nativeUpdate(WebhookDeliveryEntity, { $and: [claimable, { id: { $in: due.map((row) => row.id) } }] }, { claimToken, claimExpiresAt });
    });
    if (claimedCount === 0) return [];
    return this.orm.em.fork().find(WebhookDeliveryEntity, { claimToken, status: 'pending' }, { orderBy: { nextAttemptAt: 'asc', id: 'asc' } });
  }

  /** Sets (or, with null, removes) a consumer's webhook. The new secret is returned once, in clear. */
  async setConsumerWebhook(consumerId: string, url: string | null): Promise<{ url: string | null; secret: string | null }> {
    if (url !== null) assertWebhookUrl(url);
    const em = this.orm.em.fork();
    const consumer = await em.findOne(ConsumerEntity, { id: consumerId });
    if (consumer === null) throw new NotFoundError('consumer', consumerId);
    const previousUrl = consumer.webhookUrl ?? null;
    const secret = url === null ? null : generateWebhookSecret();
    consumer.webhookUrl = url;
    consumer.webhookSecretEncrypted = secret === null ? null : this.secrets.seal(secret);
    await em.flush();
    if (previousUrl !== null && previousUrl !== url) {
      // Queued events for the old endpoint would now be signed with a secret it never had.
      await em.nativeUpdate(
        WebhookDeliveryEntity,
        { consumerId, url: previousUrl, status: 'pending' },
        { status: 'failed', nextAttemptAt: null, lastError: 'cancelled: the consumer webhook was changed' },
      );
    }
    return { url, secret };
  }

  /** Newest first. `consumerId` null or omitted: every delivery, operators' copies included (operators only). */
  async listDeliveries(options: { consumerId?: string | null; limit?: number } = {}): Promise<WebhookDelivery[]> {
    const limit = Math.min(Math.max(Math.trunc(options.limit ?? 50), 1), MAX_LIST_LIMIT);
    const where = options.consumerId == null ? {} : { consumerId: options.consumerId };
    const rows = await this.orm.em.fork().find(WebhookDeliveryEntity, where, { orderBy: { createdAt: 'desc', id: 'desc' }, limit });
    return rows.map(toWebhookDelivery);
  }

  private async attempt(row: WebhookDeliveryRow, secrets: WebhookSecretResolver): Promise<keyof DeliveryCounts> {
    const problem = webhookUrlProblem(row.url);
    if (problem !== null) return this.giveUp(row, row.attempts, problem);
    let secret: string;
    try {
      secret = await secrets.secretFor(row.consumerId ?? null);
    } catch (error) {
      if (error instanceof WebhookSecretUnavailableError) return this.giveUp(row, row.attempts, error.message);
      throw error;
    }
    const timestampSeconds = Math.floor(this.clock.now().getTime() / 1_000);
    const body = JSON.stringify(row.payload);
    const outcome = await postWebhook({
      url: row.url,
      body,
      timeoutMs: this.timeoutMs,
      fetch: this.fetch,
      headers: {
        'content-type': 'application/json',
        'user-agent': WEBHOOK_USER_AGENT,
        'x-gpu-shopper-event': row.event,
        // The envelope's id: the same for an event's every copy and every retry, for receivers to deduplicate.
        'x-gpu-shopper-event-id': eventIdOf(row),
        'x-gpu-shopper-delivery': row.id,
        'x-gpu-shopper-timestamp': String(timestampSeconds),
        'x-gpu-shopper-signature': signWebhook(secret, timestampSeconds, body),
      },
    });
    const attempts = row.attempts + 1;
    const now = this.clock.now();
    if (outcome.ok) {
      await this.record(row, { status: 'delivered', attempts, lastError: null, nextAttemptAt: null, deliveredAt: now });
      return 'delivered';
    }
    if (attempts >= this.maxAttempts) return this.giveUp(row, attempts, `${outcome.error} (gave up after ${attempts} attempts)`);
    const nextAttemptAt = new Date(now.getTime() + retryDelayMs(attempts, this.random));
    await this.record(row, { status: 'pending', attempts, lastError: truncate(outcome.error), nextAttemptAt, deliveredAt: null });
    // Once per delivery, not once per retry: the first failure warns, the retries after it are debug lines.
    log(this.logger, attempts === 1 ? 'warn' : 'debug', attempts === 1 ? 'webhook delivery failed; retrying' : 'webhook delivery failed again; retrying', {
      ...deliveryFields(row),
      attempt: attempts,
      error: truncate(outcome.error),
      nextAttemptAt: nextAttemptAt.toISOString(),
    });
    return 'retried';
  }

  private async giveUp(row: WebhookDeliveryRow, attempts: number, reason: string): Promise<'failed'> {
    await this.record(row, { status: 'failed', attempts, lastError: truncate(reason), nextAttemptAt: null, deliveredAt: null });
    log(this.logger, 'error', 'webhook delivery given up', { ...deliveryFields(row), attempts, error: truncate(reason) });
    return 'failed';
  }

  /** A direct update on a fresh fork: deliveries finish concurrently, and one entity manager must not flush twice at once. */
  private async record(row: WebhookDeliveryRow, update: DeliveryUpdate): Promise<void> {
    // Fenced by our claim token (a replica that took over an expired claim owns the row now) and by
    // status (a delivery cancelled meanwhile is not resurrected). Recording an outcome releases the claim.
    const updated = await this.orm.em
      .fork()
      .nativeUpdate(WebhookDeliveryEntity, { id: row.id, status: 'pending', claimToken: row.claimToken ?? null }, { ...update, claimToken: null, claimExpiresAt: null });
    if (updated === 0) throw new Error('its claim expired and was taken over, or it was cancelled, while it was being sent');
  }
}

/** What a delivery's log lines say about it: never its payload, and of its URL only the origin (a path or query may carry a token). */
function deliveryFields(row: WebhookDeliveryRow): LogFields {
  const data = (row.payload as Partial<WebhookEnvelope>).data;
  const sessionId = data !== null && typeof data === 'object' && typeof data.sessionId === 'string' ? data.sessionId : undefined;
  return { deliveryId: row.id, event: row.event, eventId: eventIdOf(row), consumerId: row.consumerId ?? null, ...(sessionId === undefined ? {} : { sessionId }), destination: originOf(row.url) };
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid URL)';
  }
}

function eventIdOf(row: WebhookDeliveryRow): string {
  const id = (row.payload as Partial<WebhookEnvelope>).id;
  return typeof id === 'string' ? id : row.id;
}

async function forEachConcurrently<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
}

function truncate(text: string): string {
  return text.length <= MAX_ERROR_LENGTH ? text : `${text.slice(0, MAX_ERROR_LENGTH - 1)}…`;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

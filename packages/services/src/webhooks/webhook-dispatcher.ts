// The WebhookNotifier behind every service: queues events in the delivery log, then a scheduled
// `deliverDue` signs and POSTs them, retrying with back-off until delivered or given up.
import type { Clock } from '@gpu-shopper/domain';
import { NotFoundError } from '@gpu-shopper/domain';
import { ConsumerEntity, WebhookDeliveryEntity, type Orm, type WebhookDeliveryRow } from '@gpu-shopper/db';
import { newId } from '../ids';
import type { SecretBox } from '../secrets/secret-box';
import { retryDelayMs } from './webhook-backoff';
import { toWebhookDelivery, type WebhookDelivery, type WebhookEnvelope } from './webhook-deliveries';
import type { WebhookEvent, WebhookNotifier } from './webhook-notifier';
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
  logger?: { warn(msg: string): void };
  /** Deliveries sent per `deliverDue` call; the rest wait for the next tick. */
  batchSize?: number;
  /** Deliveries in flight at once, so one slow receiver does not hold up the others. */
  concurrency?: number;
  /** Jitter source; injectable for deterministic tests. */
  random?: () => number;
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
  private readonly logger: { warn(msg: string): void };
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly random: () => number;
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
    if (this.operatorWebhookUrl !== null && this.operatorWebhookSecret === null) {
      this.logger.warn("webhooks: an operator webhook URL is set without a secret; the operators' copies will fail");
    }
  }

  async notify(event: WebhookEvent, consumerId: string | null, payload: Record<string, unknown>, options: { url?: string } = {}): Promise<void> {
    try {
      const em = this.orm.em.fork();
      const now = this.clock.now();
      const envelope: WebhookEnvelope = { id: newId('evt'), event, occurredAt: now.toISOString(), consumerId, data: payload };
      // Round-trip through JSON now: what is stored is exactly what will be sent (Dates as ISO strings),
      // and an unserializable payload fails here, plainly, rather than inside the ORM.
      const storedPayload = JSON.parse(JSON.stringify(envelope)) as WebhookEnvelope;
      const targets: { consumerId: string | null; url: string }[] = [];
      if (consumerId !== null) {
        const url = options.url ?? (await em.findOne(ConsumerEntity, { id: consumerId }))?.webhookUrl ?? null;
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
        });
      }
      if (targets.length > 0) await em.flush();
    } catch (error) {
      this.logger.warn(`webhooks: could not queue ${event}${consumerId === null ? '' : ` for ${consumerId}`}: ${errorMessage(error)}`);
    }
  }

  /** Sends what is due. Overlapping calls (a slow tick) return at once rather than double-send. */
  async deliverDue(): Promise<DeliveryCounts> {
    const counts: DeliveryCounts = { delivered: 0, failed: 0, retried: 0 };
    if (this.delivering) return counts;
    this.delivering = true;
    try {
      const due = await this.orm.em
        .fork()
        .find(WebhookDeliveryEntity, { status: 'pending', nextAttemptAt: { $lte: this.clock.now() } }, { orderBy: { nextAttemptAt: 'asc', id: 'asc' }, limit: this.batchSize });
      const secrets = new WebhookSecretResolver(this.orm, this.secrets, this.operatorWebhookSecret);
      await forEachConcurrently(due, this.concurrency, async (row) => {
        try {
          counts[await this.attempt(row, secrets)] += 1;
        } catch (error) {
          // The row stays pending and is picked up again next tick.
          this.logger.warn(`webhooks: delivery ${row.id} could not be recorded: ${errorMessage(error)}`);
        }
      });
      return counts;
    } finally {
      this.delivering = false;
    }
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
    return 'retried';
  }

  private async giveUp(row: WebhookDeliveryRow, attempts: number, reason: string): Promise<'failed'> {
    await this.record(row, { status: 'failed', attempts, lastError: truncate(reason), nextAttemptAt: null, deliveredAt: null });
    return 'failed';
  }

  /** A direct update on a fresh fork: deliveries finish concurrently, and one entity manager must not flush twice at once. */
  private async record(row: WebhookDeliveryRow, update: DeliveryUpdate): Promise<void> {
    // Guarded by status so a delivery cancelled meanwhile is not resurrected.
    await this.orm.em.fork().nativeUpdate(WebhookDeliveryEntity, { id: row.id, status: 'pending' }, update);
  }
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

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OptimisticLockError } from '@mikro-orm/core';
import { ManualClock, MS_PER_SECOND, ValidationError } from '@gpu-shopper/domain';
import { BudgetEntity, ConsumerEntity, openDatabase, WebhookDeliveryEntity, type Orm } from '@gpu-shopper/db';
import { openTestDatabase, testDialect } from '@gpu-shopper/db/test-support';
import { newId } from '../ids';
import { SecretBox } from '../secrets/secret-box';
import { retryDelayCeilingMs } from './webhook-backoff';
import { WebhookDispatcher, type WebhookDispatcherOptions } from './webhook-dispatcher';
import { verifyWebhookSignature } from './webhook-signature';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A local webhook receiver: records every request; answers from `replies` (a status, or 'hang'), else 200. */
async function startReceiver() {
  const received: Received[] = [];
  const replies: (number | 'hang')[] = [];
  const hanging = new Set<ServerResponse>();
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      const reply = replies.shift() ?? 200;
      if (reply === 'hang') {
        hanging.add(response);
        return;
      }
      response.writeHead(reply).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    received,
    replies,
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    close: async () => {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('WebhookDispatcher', () => {
  const OPERATOR_SECRET = 'operator-secret-for-tests';
  let orm: Orm;
  let clock: ManualClock;
  let box: SecretBox;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let warnings: string[];

  const dispatcher = (options: Partial<WebhookDispatcherOptions> = {}) =>
    new WebhookDispatcher({
      orm,
      clock,
      secrets: box,
      operatorWebhookUrl: null,
      operatorWebhookSecret: null,
      timeoutMs: 1_000,
      random: () => 0.5,
      logger: { warn: (msg) => warnings.push(msg) },
      ...options,
    });

  async function addConsumer(name: string): Promise<string> {
    const em = orm.em.fork();
    const consumer = em.create(ConsumerEntity, { id: `con_${name}`, name, createdAt: clock.now(), webhookUrl: null, webhookSecretEncrypted: null });
    await em.flush();
    return consumer.id;
  }

  async function storedSecret(consumerId: string): Promise<string | null> {
    const rows = await orm.em.fork().getConnection().execute<{ sealed: string | null }[]>('select webhook_secret_encrypted as sealed from consumers where id = ?', [consumerId]);
    return rows[0]?.sealed ?? null;
  }

  beforeEach(async () => {
    orm = await openTestDatabase();
    clock = new ManualClock('2026-03-01T12:00:00.000Z');
    box = SecretBox.fromKey(Buffer.alloc(32, 9));
    receiver = await startReceiver();
    warnings = [];
  });

  afterEach(async () => {
    await receiver.close();
    await orm.close(true);
  });

  describe('delivering', () => {
    it('POSTs a signed envelope that verifies with the secret returned by setConsumerWebhook', async () => {
      const hooks = dispatcher();
      const consumerId = await addConsumer('acme');
      const { url, secret } = await hooks.setConsumerWebhook(consumerId, receiver.url('/acme'));
      expect(url).toBe(receiver.url('/acme'));
      expect(secret).toMatch(/^whsec_/);

      await hooks.notify('session.ready', consumerId, { sessionId: 'ses_1' });
      expect(await hooks.deliverDue()).toEqual({ delivered: 1, failed: 0, retried: 0 });

      expect(receiver.received).toHaveLength(1);
      const [request] = receiver.received;
      const timestamp = String(clock.now().getTime() / MS_PER_SECOND);
      expect(request?.path).toBe('/acme');
      expect(request?.headers).toMatchObject({
        'content-type': 'application/json',
        'user-agent': 'gpu-shopper-webhooks/1',
        'x-gpu-shopper-event': 'session.ready',
        'x-gpu-shopper-timestamp': timestamp,
      });
      expect(verifyWebhookSignature(secret!, timestamp, request!.body, request!.headers['x-gpu-shopper-signature'] as string)).toBe(true);
      // The event id travels as a header too: receivers deduplicate on it without parsing the body.
      expect(request?.headers['x-gpu-shopper-event-id']).toBe(JSON.parse(request!.body).id);
      expect(JSON.parse(request!.body)).toEqual({
        id: expect.stringMatching(/^evt_/),
        event: 'session.ready',
        occurredAt: '2026-03-01T12:00:00.000Z',
        consumerId,
        data: { sessionId: 'ses_1' },
      });

      const [delivery] = await hooks.listDeliveries({ consumerId, limit: 10 });
      expect(delivery).toMatchObject({ id: request!.headers['x-gpu-shopper-delivery'], status: 'delivered', attempts: 1, lastError: null, deliveredAt: clock.now().toISOString(), nextAttemptAt: null });
      // Already delivered: nothing left to send.
      expect(await hooks.deliverDue()).toEqual({ delivered: 0, failed: 0, retried: 0 });
    });

    it("sends the operators' copy to their URL, signed with their secret", async () => {
      const hooks = dispatcher({ operatorWebhookUrl: receiver.url('/ops'), operatorWebhookSecret: OPERATOR_SECRET });
      const consumerId = await addConsumer('acme');
      const { secret } = await hooks.setConsumerWebhook(consumerId, receiver.url('/acme'));

      await hooks.notify('budget.threshold', consumerId, { percent: 80 });
      await hooks.notify('provider.listing_failed', null, { provider: 'vastai' });
      expect(await hooks.deliverDue()).toEqual({ delivered: 3, failed: 0, retried: 0 });

      const byPath = (path: string) => receiver.received.filter((r) => r.path === path);
      expect(byPath('/acme').map((r) => r.headers['x-gpu-shopper-event'])).toEqual(['budget.threshold']);
      expect(byPath('/ops').map((r) => r.headers['x-gpu-shopper-event']).sort()).toEqual(['budget.threshold', 'provider.listing_failed']);
      for (const request of receiver.received) {
        const key = request.path === '/ops' ? OPERATOR_SECRET : secret!;
        const verified = verifyWebhookSignature(key, request.headers['x-gpu-shopper-timestamp'] as string, request.body, request.headers['x-gpu-shopper-signature'] as string);
        expect(verified).toBe(true);
      }
      // Both copies of one event share the envelope id.
      const envelopeIds = receiver.received.filter((r) => r.headers['x-gpu-shopper-event'] === 'budget.threshold').map((r) => JSON.parse(r.body).id);
      expect(new Set(envelopeIds).size).toBe(1);
    });

    it('uses options.url instead of the consumer webhook, generating and sealing a secret on first need', async () => {
      const hooks = dispatcher();
      const consumerId = await addConsumer('acme');
      await hooks.notify('budget.threshold', consumerId, { percent: 50 }, { url: receiver.url('/budget') });
      expect(await storedSecret(consumerId)).toBeNull();

      expect(await hooks.deliverDue()).toEqual({ delivered: 1, failed: 0, retried: 0 });
      const sealed = await storedSecret(consumerId);
      expect(sealed).toMatch(/^v1:/);
      const [request] = receiver.received;
      expect(request?.path).toBe('/budget');
      expect(verifyWebhookSignature(box.open(sealed!), request!.headers['x-gpu-shopper-timestamp'] as string, request!.body, request!.headers['x-gpu-shopper-signature'] as string)).toBe(true);
    });

    it('queues nothing for a consumer without a webhook when no operator webhook is set', async () => {
      const hooks = dispatcher();
      const consumerId = await addConsumer('quiet');
      await hooks.notify('session.ended', consumerId, {});
      await hooks.notify('session.ended', null, {});
      expect(await hooks.listDeliveries({ consumerId: null, limit: 10 })).toEqual([]);
    });
  });

  describe('retrying', () => {
    it('retries a non-2xx answer after the back-off, then delivers', async () => {
      const hooks = dispatcher();
      const consumerId = await addConsumer('acme');
      await hooks.setConsumerWebhook(consumerId, receiver.url('/acme'));
      receiver.replies.push(503);
      await hooks.notify('session.failed', consumerId, {});

      expect(await hooks.deliverDue()).toEqual({ delivered: 0, failed: 0, retried: 1 });
      let [delivery] = await hooks.listDeliveries({ consumerId, limit: 1 });
      expect(delivery).toMatchObject({ status: 'pending', attempts: 1, lastError: 'HTTP 503 Service Unavailable' });
      // random 0.5: three quarters of the 10 s ceiling.
      expect(delivery?.nextAttemptAt).toBe(new Date(clock.now().getTime() + 7_500).toISOString());

      clock.advance(5 * MS_PER_SECOND);
      expect(await hooks.deliverDue()).toEqual({ delivered: 0, failed: 0, retried: 0 });
      clock.advance(retryDelayCeilingMs(1));
      expect(await hooks.deliverDue()).toEqual({ delivered: 1, failed: 0, retried: 0 });
      [delivery] = await hooks.listDeliveries({ consumerId, limit: 1 });
      expect(delivery).toMatchObject({ status: 'delivered', attempts: 2, lastError: null });
      expect(receiver.received).toHaveLength(2);
    });

    it('retries a receiver that does not answer within timeoutMs', async () => {
      const hooks = dispatcher({ timeoutMs: 50 });
      const consumerId = await addConsumer('acme');
      await hooks.setConsumerWebhook(consumerId, receiver.url('/slow'));
      receiver.replies.push('hang');
      await hooks.notify('session.idle', consumerId, {});

      expect(await hooks.deliverDue()).toEqual({ delivered: 0, failed: 0, retried: 1 });
      expect((await hooks.listDeliveries({ consumerId, limit: 1 }))[0]).toMatchObject({ status: 'pending', attempts: 1, lastError: 'timed out after 50 ms' });
      clock.advance(retryDelayCeilingMs(1));
      expect(await hooks.deliverDue()).toEqual({ delivered: 1, failed: 0, retried: 0 });
    });

    it('gives up after maxAttempts, and records why', async () => {
      const hooks = dispatcher({ maxAttempts: 3 });
      const consumerId = await addConsumer('acme');
      await hooks.setConsumerWebhook(consumerId, receiver.url('/broken'));
      receiver.replies.push(500, 500, 500);
      await hooks.notify('heartbeat.lost', consumerId, {});

      expect(await hooks.deliverDue()).toEqual({ delivered: 0, failed: 0, retried: 1 });
      clock.advance(retryDelayCeilingMs(1));
      expect(await hooks.deliverDue()).toEqual({ delivered: 0, failed: 0, retried: 1 });
      clock.advance(retryDelayCeilingMs(2));
      expect(await hooks.deliverDue()).toEqual({ delivered: 0, failed: 1, retried: 0 });
      expect((await hooks.listDeliveries({ consumerId, limit: 1 }))[0]).toMatchObject({
        status: 'failed',
        attempts: 3,
        nextAttemptAt: null,
        lastError: 'HTTP 500 Internal Server Error (gave up after 3 attempts)',
      });
      clock.advance(retryDelayCeilingMs(10));
      expect(await hooks.deliverDue()).toEqual({ delivered: 0, failed: 0, retried: 0 });
      expect(receiver.received).toHaveLength(3);
    });

    it('logs a delivery’s first failure (warn), its retries (debug) and its giving up (error), once each, without payload or URL path', async () => {
      const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
      const at = (level: string) => (message: string, fields?: Record<string, unknown>) => lines.push({ level, message, fields });
      const hooks = dispatcher({ maxAttempts: 3, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } });
      const consumerId = await addConsumer('acme');
      await hooks.setConsumerWebhook(consumerId, receiver.url('/broken?token=abc'));
      receiver.replies.push(500, 500, 500);
      await hooks.notify('session.ready', consumerId, { sessionId: 'ses_1', secretish: 'payload-only' });
      for (let attempt = 1; attempt <= 3; attempt += 1) {
        await hooks.deliverDue();
        clock.advance(retryDelayCeilingMs(attempt));
      }
      expect(lines.map((line) => [line.level, line.message])).toEqual([
        ['warn', 'webhook delivery failed; retrying'],
        ['debug', 'webhook delivery failed again; retrying'],
        ['error', 'webhook delivery given up'],
      ]);
      expect(lines[0]!.fields).toEqual({
        deliveryId: expect.stringMatching(/^whd_/),
        event: 'session.ready',
        eventId: expect.stringMatching(/^evt_/),
        consumerId,
        sessionId: 'ses_1',
        destination: receiver.url(''),
        attempt: 1,
        error: 'HTTP 500 Internal Server Error',
        nextAttemptAt: expect.any(String),
      });
      expect(lines[2]!.fields).toMatchObject({ attempts: 3, error: 'HTTP 500 Internal Server Error (gave up after 3 attempts)' });
      expect(JSON.stringify(lines)).not.toMatch(/payload-only|token=abc|\/broken/);
    });

    it('retries an unreachable receiver with the connection error, not the URL', async () => {
      const hooks = dispatcher();
      const consumerId = await addConsumer('acme');
      const url = receiver.url('/gone?token=do-not-log');
      await hooks.setConsumerWebhook(consumerId, url);
      await receiver.close();
      await hooks.notify('session.ready', consumerId, {});

      expect(await hooks.deliverDue()).toEqual({ delivered: 0, failed: 0, retried: 1 });
      const [delivery] = await hooks.listDeliveries({ consumerId, limit: 1 });
      expect(delivery?.lastError).toBe('connection failed: ECONNREFUSED');
      receiver = await startReceiver();
    });
  });

  describe('URLs and secrets', () => {
    it('rejects webhook URLs that are not https (or http to this machine)', async () => {
      const hooks = dispatcher();
      const consumerId = await addConsumer('acme');
      await expect(hooks.setConsumerWebhook(consumerId, 'http://example.com/hook')).rejects.toThrow(ValidationError);
      await expect(hooks.setConsumerWebhook(consumerId, 'not a url')).rejects.toThrow('webhookUrl: is not a URL');
      await expect(hooks.setConsumerWebhook(consumerId, 'https://user:pw@example.com/')).rejects.toThrow('credentials');
      await expect(hooks.setConsumerWebhook('con_missing', 'https://example.com/')).rejects.toThrow('consumer con_missing not found');
      expect(await hooks.setConsumerWebhook(consumerId, 'https://hooks.example.com/gpu')).toMatchObject({ url: 'https://hooks.example.com/gpu' });
    });

    it('records a delivery to an invalid URL as failed at once', async () => {
      const hooks = dispatcher();
      const consumerId = await addConsumer('acme');
      await hooks.notify('budget.threshold', consumerId, {}, { url: 'ftp://example.com/hook' });
      const [delivery] = await hooks.listDeliveries({ consumerId, limit: 1 });
      expect(delivery).toMatchObject({ status: 'failed', attempts: 0, nextAttemptAt: null, lastError: 'invalid webhook URL: webhookUrl: must be an https:// URL' });
      expect(await hooks.deliverDue()).toEqual({ delivered: 0, failed: 0, retried: 0 });
    });

    it('fails the operators’ copy when no operator secret is configured, and warns at start', async () => {
      const hooks = dispatcher({ operatorWebhookUrl: receiver.url('/ops') });
      expect(warnings[0]).toContain('without a secret');
      await hooks.notify('orphan.detected', null, {});
      expect(await hooks.deliverDue()).toEqual({ delivered: 0, failed: 1, retried: 0 });
      expect((await hooks.listDeliveries({ limit: 1 }))[0]?.lastError).toBe("the operators' webhook secret is not configured");
      expect(receiver.received).toHaveLength(0);
    });

    it('keeps the secret sealed at rest, and rotates it on every set', async () => {
      const hooks = dispatcher();
      const consumerId = await addConsumer('acme');
      const first = await hooks.setConsumerWebhook(consumerId, receiver.url('/a'));
      const sealed = await storedSecret(consumerId);
      expect(sealed).not.toContain(first.secret!);
      expect(box.open(sealed!)).toBe(first.secret);

      const second = await hooks.setConsumerWebhook(consumerId, receiver.url('/a'));
      expect(second.secret).not.toBe(first.secret);
      expect(box.open((await storedSecret(consumerId))!)).toBe(second.secret);

      expect(await hooks.setConsumerWebhook(consumerId, null)).toEqual({ url: null, secret: null });
      expect(await storedSecret(consumerId)).toBeNull();
    });

    it('cancels deliveries queued for an endpoint the consumer has replaced', async () => {
      const hooks = dispatcher();
      const consumerId = await addConsumer('acme');
      await hooks.setConsumerWebhook(consumerId, receiver.url('/old'));
      await hooks.notify('session.ready', consumerId, {});
      await hooks.setConsumerWebhook(consumerId, receiver.url('/new'));

      expect(await hooks.deliverDue()).toEqual({ delivered: 0, failed: 0, retried: 0 });
      expect((await hooks.listDeliveries({ consumerId, limit: 1 }))[0]).toMatchObject({ status: 'failed', lastError: 'cancelled: the consumer webhook was changed' });
      expect(receiver.received).toHaveLength(0);
    });
  });

  describe('listing deliveries', () => {
    it("scopes to one consumer, and shows operators everything, never a secret", async () => {
      const hooks = dispatcher({ operatorWebhookUrl: receiver.url('/ops'), operatorWebhookSecret: OPERATOR_SECRET });
      const acme = await addConsumer('acme');
      const globex = await addConsumer('globex');
      const { secret } = await hooks.setConsumerWebhook(acme, receiver.url('/acme'));
      await hooks.setConsumerWebhook(globex, receiver.url('/globex'));
      await hooks.notify('session.ready', acme, {});
      clock.advance(MS_PER_SECOND);
      await hooks.notify('session.ended', globex, {});
      await hooks.deliverDue();

      const mine = await hooks.listDeliveries({ consumerId: acme, limit: 50 });
      expect(mine.map((d) => [d.event, d.url])).toEqual([['session.ready', receiver.url('/acme')]]);
      const all = await hooks.listDeliveries({ consumerId: null, limit: 50 });
      expect(all).toHaveLength(4);
      expect(all[0]?.event).toBe('session.ended');
      expect(all.filter((d) => d.consumerId === null).map((d) => d.url)).toEqual([receiver.url('/ops'), receiver.url('/ops')]);
      expect(await hooks.listDeliveries({ limit: 1 })).toHaveLength(1);
      const serialized = JSON.stringify(all);
      expect(serialized).not.toContain(secret!);
      expect(serialized).not.toContain(OPERATOR_SECRET);
      expect(JSON.parse(serialized)).toEqual(all);
    });
  });

  describe('notify', () => {
    it('never throws, even when the database is gone', async () => {
      const hooks = dispatcher({ operatorWebhookUrl: receiver.url('/ops'), operatorWebhookSecret: OPERATOR_SECRET });
      await orm.close(true);
      await expect(hooks.notify('cost.drift', 'con_x', { driftUsd: 3 })).resolves.toBeUndefined();
      expect(warnings.at(-1)).toMatch(/^webhooks: could not queue cost.drift for con_x: /);
      // afterEach closes whatever `orm` holds.
      orm = await openTestDatabase();
    });

    it('never throws on a payload that cannot be stored', async () => {
      const hooks = dispatcher({ operatorWebhookUrl: receiver.url('/ops'), operatorWebhookSecret: OPERATOR_SECRET });
      await expect(hooks.notify('cost.drift', null, { amount: 1n })).resolves.toBeUndefined();
      expect(warnings.at(-1)).toContain('could not queue cost.drift');
      expect(await hooks.listDeliveries({ limit: 10 })).toEqual([]);
    });

    it('stores the payload as the JSON it will send', async () => {
      const hooks = dispatcher({ operatorWebhookUrl: receiver.url('/ops'), operatorWebhookSecret: OPERATOR_SECRET });
      await hooks.notify('reservation.expiring', null, { endsAt: new Date('2026-03-01T13:00:00.000Z'), note: undefined });
      await hooks.deliverDue();
      expect(JSON.parse(receiver.received[0]!.body).data).toEqual({ endsAt: '2026-03-01T13:00:00.000Z' });
    });
  });
  describe('outbox (notify with the caller’s entity manager)', () => {
    async function addBudget(consumerId: string): Promise<string> {
      const em = orm.em.fork();
      const budget = em.create(BudgetEntity, { id: newId('bud'), consumerId, limitMicros: 10_000_000, period: 'month', thresholdsPercent: [100], webhookUrl: null, action: 'alert', createdAt: clock.now(), updatedAt: clock.now() });
      await em.flush();
      return budget.id;
    }
    const deliveryCount = () => orm.em.fork().count(WebhookDeliveryEntity, {});

    it('a change whose flush fails (lost optimistic lock) announces nothing; one that saves announces exactly once', async () => {
      const hooks = dispatcher();
      const consumerId = await addConsumer('acme');
      await hooks.setConsumerWebhook(consumerId, receiver.url('/acme'));
      const budgetId = await addBudget(consumerId);

      const loser = orm.em.fork();
      const stale = await loser.findOneOrFail(BudgetEntity, { id: budgetId });
      const winner = orm.em.fork();
      (await winner.findOneOrFail(BudgetEntity, { id: budgetId })).limitMicros = 20_000_000;
      await winner.flush();

      stale.limitMicros = 30_000_000;
      await hooks.notify('budget.threshold', consumerId, { budgetId, limitUsd: 30 }, { em: loser });
      expect(await deliveryCount()).toBe(0); // queued in the caller's entity manager, not saved on its own
      await expect(loser.flush()).rejects.toThrow(OptimisticLockError);
      expect(await deliveryCount()).toBe(0);

      const em = orm.em.fork();
      (await em.findOneOrFail(BudgetEntity, { id: budgetId })).limitMicros = 30_000_000;
      await hooks.notify('budget.threshold', consumerId, { budgetId, limitUsd: 30 }, { em });
      expect(await deliveryCount()).toBe(0);
      await em.flush();
      expect(await deliveryCount()).toBe(1);
      expect(await hooks.deliverDue()).toEqual({ delivered: 1, failed: 0, retried: 0 });
      expect(receiver.received.map((r) => JSON.parse(r.body).data)).toEqual([{ budgetId, limitUsd: 30 }]);
    });

    it('commits with the transaction it was queued in, and rolls back with it', async () => {
      const hooks = dispatcher({ operatorWebhookUrl: receiver.url('/ops'), operatorWebhookSecret: OPERATOR_SECRET });
      const consumerId = await addConsumer('acme');
      await hooks.setConsumerWebhook(consumerId, receiver.url('/acme'));
      const budgetId = await addBudget(consumerId);
      const change = (limitMicros: number, fail: boolean) =>
        orm.em.fork().transactional(async (tx) => {
          (await tx.findOneOrFail(BudgetEntity, { id: budgetId })).limitMicros = limitMicros;
          await hooks.notify('budget.threshold', consumerId, { budgetId }, { em: tx });
          await tx.flush();
          if (fail) throw new Error('the change is abandoned');
        });

      await expect(change(40_000_000, true)).rejects.toThrow('abandoned');
      expect(await deliveryCount()).toBe(0);
      expect((await orm.em.fork().findOneOrFail(BudgetEntity, { id: budgetId })).limitMicros).toBe(10_000_000);

      await change(50_000_000, false);
      const rows = await orm.em.fork().find(WebhookDeliveryEntity, {}, { orderBy: { url: 'asc' } });
      // The consumer's copy and the operators' copy: one event, one envelope id.
      expect(rows.map((row) => row.url)).toEqual([receiver.url('/acme'), receiver.url('/ops')]);
      expect(new Set(rows.map((row) => (row.payload as { id: string }).id)).size).toBe(1);
      expect((await orm.em.fork().findOneOrFail(BudgetEntity, { id: budgetId })).limitMicros).toBe(50_000_000);
    });

    it('never flushes the caller’s pending changes itself', async () => {
      const hooks = dispatcher();
      const consumerId = await addConsumer('acme');
      await hooks.setConsumerWebhook(consumerId, receiver.url('/acme'));
      const em = orm.em.fork();
      const consumer = await em.findOneOrFail(ConsumerEntity, { id: consumerId });
      consumer.name = 'renamed';
      await hooks.notify('session.ready', consumerId, {}, { em });
      expect((await orm.em.fork().findOneOrFail(ConsumerEntity, { id: consumerId })).name).toBe('acme');
      expect(await deliveryCount()).toBe(0);
      await em.flush();
      expect(await deliveryCount()).toBe(1);
    });
  });

  describe('replicas (claims in the database)', () => {
    it('two dispatchers on one database, delivering at once, send every event exactly once', async () => {
      // On PostgreSQL the second replica has a connection pool of its own; SQLite is one replica's store.
      const otherOrm = testDialect() === 'postgresql' ? await openDatabase({ dbPath: ':memory:', databaseUrl: orm.config.get('clientUrl') as string, poolMax: 5 }) : orm;
      try {
        const options = { batchSize: 4, concurrency: 2 };
        const first = dispatcher(options);
        const second = dispatcher({ ...options, orm: otherOrm });
        const consumerId = await addConsumer('acme');
        await first.setConsumerWebhook(consumerId, receiver.url('/acme'));
        const events = 20;
        for (let i = 0; i < events; i += 1) await first.notify('session.ready', consumerId, { n: i });

        const delivered = { first: 0, second: 0 };
        for (let round = 0; round < events; round += 1) {
          const [a, b] = await Promise.all([first.deliverDue(), second.deliverDue()]);
          delivered.first += a.delivered;
          delivered.second += b.delivered;
          if (a.delivered + b.delivered === 0) break;
        }

        const eventIds = receiver.received.map((r) => r.headers['x-gpu-shopper-event-id'] as string);
        expect(eventIds).toHaveLength(events);
        expect(new Set(eventIds).size).toBe(events);
        expect(new Set(receiver.received.map((r) => JSON.parse(r.body).data.n)).size).toBe(events);
        expect(delivered.first + delivered.second).toBe(events);
        // Both took part: each claimed a batch of its own in the first round.
        expect(delivered.first).toBeGreaterThan(0);
        expect(delivered.second).toBeGreaterThan(0);
        const rows = await orm.em.fork().find(WebhookDeliveryEntity, {});
        expect(rows.every((row) => row.status === 'delivered' && row.attempts === 1 && row.claimToken === null && row.claimExpiresAt === null)).toBe(true);
        expect(warnings).toEqual([]);
      } finally {
        if (otherOrm !== orm) await otherOrm.close(true);
      }
    });

    it('takes over a claim once it expires, and fences off the stalled replica’s late answer', async () => {
      let stalledStarted!: () => void;
      const started = new Promise<void>((resolve) => (stalledStarted = resolve));
      let answerStalled!: (response: Response) => void;
      const stalledAnswer = new Promise<Response>((resolve) => (answerStalled = resolve));
      // A replica whose POST never returns (until the test says so): it holds its claim, then loses it.
      const stalled = dispatcher({
        fetch: async () => {
          stalledStarted();
          return stalledAnswer;
        },
      });
      const healthy = dispatcher();
      const consumerId = await addConsumer('acme');
      await healthy.setConsumerWebhook(consumerId, receiver.url('/acme'));
      await healthy.notify('session.ended', consumerId, { sessionId: 'ses_1' });

      const stalledRun = stalled.deliverDue();
      await started;
      const [claimed] = await orm.em.fork().find(WebhookDeliveryEntity, {});
      expect(claimed?.claimToken).toEqual(expect.any(String));
      // Default claim: twice the worst batch (100 / 4 rounds × 1 s), at least a minute.
      expect(claimed?.claimExpiresAt?.getTime()).toBe(clock.now().getTime() + 60_000);

      clock.advance(60_000 - 1);
      expect(await healthy.deliverDue()).toEqual({ delivered: 0, failed: 0, retried: 0 });
      expect(receiver.received).toHaveLength(0);

      clock.advance(1);
      expect(await healthy.deliverDue()).toEqual({ delivered: 1, failed: 0, retried: 0 });
      expect(receiver.received).toHaveLength(1);

      answerStalled(new Response(null, { status: 200 }));
      expect(await stalledRun).toEqual({ delivered: 0, failed: 0, retried: 0 });
      expect(warnings.at(-1)).toMatch(/could not be recorded: its claim expired/);
      const [delivery] = await orm.em.fork().find(WebhookDeliveryEntity, {});
      expect(delivery).toMatchObject({ status: 'delivered', attempts: 1, claimToken: null, claimExpiresAt: null });
      expect(await healthy.deliverDue()).toEqual({ delivered: 0, failed: 0, retried: 0 });
    });

    it('a crashed replica’s claim on a retry is taken over too, keeping the attempt count', async () => {
      const hooks = dispatcher({ claimTtlMs: 30_000 });
      const consumerId = await addConsumer('acme');
      await hooks.setConsumerWebhook(consumerId, receiver.url('/acme'));
      await hooks.notify('session.idle', consumerId, {});
      // What a replica that died mid-send leaves behind.
      await orm.em.fork().nativeUpdate(WebhookDeliveryEntity, {}, { attempts: 2, claimToken: 'crashed-replica', claimExpiresAt: new Date(clock.now().getTime() + 10_000) });

      expect(await hooks.deliverDue()).toEqual({ delivered: 0, failed: 0, retried: 0 });
      clock.advance(10_000);
      expect(await hooks.deliverDue()).toEqual({ delivered: 1, failed: 0, retried: 0 });
      expect((await hooks.listDeliveries({ consumerId, limit: 1 }))[0]).toMatchObject({ status: 'delivered', attempts: 3 });
      expect(receiver.received).toHaveLength(1);
    });
  });
});

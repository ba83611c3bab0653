import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OptimisticLockError } from '@mikro-orm/core';
import { ManualClock } from '@gpu-shopper/domain';
import { AlertEntity, BudgetEntity, WebhookDeliveryEntity, type Orm } from '@gpu-shopper/db';
import { openTestDatabase } from '@gpu-shopper/db/test-support';
import { newId } from '../ids';
import { SecretBox } from '../secrets/secret-box';
import { WebhookDispatcher } from '../webhooks/webhook-dispatcher';
import { AlertService } from './alert-service';

describe('AlertService.raise', () => {
  let orm: Orm;
  const clock = new ManualClock('2026-03-01T12:00:00.000Z');
  let alerts: AlertService;
  const logged: string[] = [];

  beforeEach(async () => {
    orm = await openTestDatabase();
    // Operators' webhook only: every alert with a webhook event queues one delivery (never sent here).
    const webhooks = new WebhookDispatcher({ orm, clock, secrets: SecretBox.fromKey(Buffer.alloc(32, 3)), operatorWebhookUrl: 'https://ops.example.com/hook', operatorWebhookSecret: 'ops-secret' });
    alerts = new AlertService(clock, webhooks, { warn: (message) => logged.push(message) });
  });

  afterEach(async () => {
    await orm.close(true);
  });

  const counts = async () => ({ alerts: await orm.em.fork().count(AlertEntity, {}), deliveries: await orm.em.fork().count(WebhookDeliveryEntity, {}) });

  async function addBudget(): Promise<string> {
    const em = orm.em.fork();
    const budget = em.create(BudgetEntity, { id: newId('bud'), consumerId: null, limitMicros: 1_000_000, period: 'month', thresholdsPercent: [100], webhookUrl: null, action: 'alert', createdAt: clock.now(), updatedAt: clock.now() });
    await em.flush();
    return budget.id;
  }

  it('flushes by default: the alert and its webhook commit together, at once', async () => {
    const row = await alerts.raise(orm.em.fork(), { kind: 'listing_failed', message: 'vastai listing failed', provider: 'vastai', detail: { consecutiveFailures: 3 } }, 'provider.listing_failed');
    expect(await counts()).toEqual({ alerts: 1, deliveries: 1 });
    const [delivery] = await orm.em.fork().find(WebhookDeliveryEntity, {});
    expect(delivery).toMatchObject({ event: 'provider.listing_failed', consumerId: null, status: 'pending' });
    expect((delivery?.payload as { data: Record<string, unknown> }).data).toMatchObject({ alertId: row.id, kind: 'listing_failed', provider: 'vastai', consecutiveFailures: 3 });
    expect(logged.at(-1)).toBe('alert listing_failed: vastai listing failed');
  });

  it('with flush: false, commits with the caller’s change, or not at all when that change fails to save', async () => {
    const budgetId = await addBudget();
    const loser = orm.em.fork();
    const stale = await loser.findOneOrFail(BudgetEntity, { id: budgetId });
    const winner = orm.em.fork();
    (await winner.findOneOrFail(BudgetEntity, { id: budgetId })).limitMicros = 2_000_000;
    await winner.flush();

    stale.limitMicros = 3_000_000;
    await alerts.raise(loser, { kind: 'budget', message: 'raised by the losing writer' }, 'budget.threshold', { flush: false });
    expect(await counts()).toEqual({ alerts: 0, deliveries: 0 });
    await expect(loser.flush()).rejects.toThrow(OptimisticLockError);
    expect(await counts()).toEqual({ alerts: 0, deliveries: 0 });

    const em = orm.em.fork();
    (await em.findOneOrFail(BudgetEntity, { id: budgetId })).limitMicros = 3_000_000;
    const row = await alerts.raise(em, { kind: 'budget', message: 'raised by the winner' }, 'budget.threshold', { flush: false });
    expect(await counts()).toEqual({ alerts: 0, deliveries: 0 });
    await em.flush();
    expect(await counts()).toEqual({ alerts: 1, deliveries: 1 });
    expect((await orm.em.fork().findOneOrFail(AlertEntity, { id: row.id })).message).toBe('raised by the winner');
  });

  it('rolls back with the caller’s transaction', async () => {
    const attempt = orm.em.fork().transactional(async (tx) => {
      await alerts.raise(tx, { kind: 'orphan', message: 'an orphan', provider: 'vastai', instanceId: 'i-1' }, 'orphan.detected');
      throw new Error('the sweep gave up');
    });
    await expect(attempt).rejects.toThrow('gave up');
    expect(await counts()).toEqual({ alerts: 0, deliveries: 0 });
  });
});

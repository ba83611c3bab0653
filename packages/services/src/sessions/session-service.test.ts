import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OptimisticLockError } from '@mikro-orm/core';
import { ManualClock, type Caller } from '@gpu-shopper/domain';
import { AlertEntity, SessionEntity, WebhookDeliveryEntity, type Orm } from '@gpu-shopper/db';
import { openTestDatabase } from '@gpu-shopper/db/test-support';
import { AlertService } from '../alerts/alert-service';
import { SecretBox } from '../secrets/secret-box';
import { seedConsumer, seedPricedSession } from '../test-support/ledger-fixtures';
import { WebhookDispatcher } from '../webhooks/webhook-dispatcher';
import { SessionService, type ExtensionBudgetGuard } from './session-service';

describe('SessionService.extend past an alert budget (outbox)', () => {
  const clock = new ManualClock('2026-03-10T12:00:00.000Z');
  let orm: Orm;
  let alerts: AlertService;

  // An alert budget the extension always exceeds; the blocking check lets it through.
  const guard: ExtensionBudgetGuard = {
    withinBudget: (_consumerId, _projectedMicros, _em, apply) => apply(),
    alertBudgetsExceeded: async () => [{ budgetId: 'bud_alert', limitMicros: 1_000_000, remainingMicros: 0, period: 'month', global: false }],
  };

  beforeEach(async () => {
    orm = await openTestDatabase();
    const webhooks = new WebhookDispatcher({ orm, clock, secrets: SecretBox.fromKey(Buffer.alloc(32, 11)), operatorWebhookUrl: 'https://ops.example.com/hook', operatorWebhookSecret: 'ops-secret' });
    alerts = new AlertService(clock, webhooks, { warn: () => {} });
  });

  afterEach(async () => {
    await orm.close(true);
  });

  const counts = async () => ({ alerts: await orm.em.fork().count(AlertEntity, {}), deliveries: await orm.em.fork().count(WebhookDeliveryEntity, {}) });

  it('raises the alert and its webhook with the extension, and nothing when the extension loses a race', async () => {
    const seed = orm.em.fork();
    const consumerId = seedConsumer(seed, 'acme', clock.now());
    const session = seedPricedSession(seed, clock, { consumerId, reservationHours: 2 });
    await seed.flush();
    const caller: Caller = { role: 'consumer', keyId: 'key_acme', consumerId, consumerName: 'acme' };

    const em = orm.em.fork();
    await em.findOneOrFail(SessionEntity, { id: session.id }); // the extension will work from this copy
    const other = orm.em.fork();
    (await other.findOneOrFail(SessionEntity, { id: session.id })).lastHeartbeatAt = clock.now();
    await other.flush();
    await expect(new SessionService(em, clock, null, undefined, null, { guard, alerts }).extend(caller, session.id, 2)).rejects.toThrow(OptimisticLockError);
    expect(await counts()).toEqual({ alerts: 0, deliveries: 0 });

    await new SessionService(orm.em.fork(), clock, null, undefined, null, { guard, alerts }).extend(caller, session.id, 2);
    expect((await orm.em.fork().findOneOrFail(SessionEntity, { id: session.id })).reservationHours).toBe(4);
    expect(await counts()).toEqual({ alerts: 1, deliveries: 1 });
    const [delivery] = await orm.em.fork().find(WebhookDeliveryEntity, {});
    expect(delivery).toMatchObject({ event: 'budget.threshold', consumerId: null });
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OptimisticLockError } from '@mikro-orm/core';
import { ManualClock, MS_PER_HOUR, type Caller } from '@gpu-shopper/domain';
import { OverrideRequestEntity, SessionEntity, WebhookDeliveryEntity, type Orm } from '@gpu-shopper/db';
import { openTestDatabase } from '@gpu-shopper/db/test-support';
import { SecretBox } from '../secrets/secret-box';
import { seedConsumer, seedPricedSession } from '../test-support/ledger-fixtures';
import { WebhookDispatcher } from '../webhooks/webhook-dispatcher';
import { OverrideService } from './override-service';

describe('OverrideService webhooks (outbox)', () => {
  const clock = new ManualClock('2026-03-01T12:00:00.000Z');
  const operator = { role: 'admin', keyId: 'key_op', consumerId: null } as const satisfies Caller;
  let orm: Orm;
  let hooks: WebhookDispatcher;

  beforeEach(async () => {
    orm = await openTestDatabase();
    hooks = new WebhookDispatcher({ orm, clock, secrets: SecretBox.fromKey(Buffer.alloc(32, 5)), operatorWebhookUrl: 'https://ops.example.com/hook', operatorWebhookSecret: 'ops-secret' });
  });

  afterEach(async () => {
    await orm.close(true);
  });

  const events = async () => (await orm.em.fork().find(WebhookDeliveryEntity, {}, { orderBy: { createdAt: 'asc', id: 'asc' } })).map((row) => row.event);

  async function requested(): Promise<{ sessionId: string; overrideId: string }> {
    const em = orm.em.fork();
    const consumerId = seedConsumer(em, 'acme', clock.now());
    const session = seedPricedSession(em, clock, { consumerId, reservationHours: 12 });
    await em.flush();
    const caller: Caller = { role: 'consumer', keyId: 'key_acme', consumerId, consumerName: 'acme' };
    const requestedEndsAt = new Date(session.reservationEndsAt.getTime() + 4 * MS_PER_HOUR).toISOString();
    const request = await new OverrideService(orm.em.fork(), clock, hooks).request(caller, session.id, consumerId, 4, requestedEndsAt);
    return { sessionId: session.id, overrideId: request.id };
  }

  it('queues override.requested in the request’s own flush', async () => {
    await requested();
    expect(await events()).toEqual(['override.requested']);
  });

  it('a decision that loses the race for the session announces nothing; the retry announces it once', async () => {
    const { sessionId, overrideId } = await requested();
    const em = orm.em.fork();
    await em.findOneOrFail(SessionEntity, { id: sessionId }); // the decision will work from this copy
    const other = orm.em.fork();
    (await other.findOneOrFail(SessionEntity, { id: sessionId })).lastHeartbeatAt = clock.now();
    await other.flush();

    await expect(new OverrideService(em, clock, hooks).decide(operator, overrideId, true)).rejects.toThrow(OptimisticLockError);
    expect(await events()).toEqual(['override.requested']);
    expect((await orm.em.fork().findOneOrFail(OverrideRequestEntity, { id: overrideId })).status).toBe('pending');

    clock.advance(1_000);
    await new OverrideService(orm.em.fork(), clock, hooks).decide(operator, overrideId, true);
    expect(await events()).toEqual(['override.requested', 'override.decided']);
  });
});

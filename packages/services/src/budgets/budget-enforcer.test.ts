import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, usdToMicros } from '@gpu-shopper/domain';
import { AlertEntity, BudgetAlertEntity, BudgetEntity, CostEntryEntity, WebhookDeliveryEntity, type Orm } from '@gpu-shopper/db';
import { openTestDatabase } from '@gpu-shopper/db/test-support';
import { LedgerService } from '../costs/ledger';
import { newId } from '../ids';
import { seedConsumer, seedPricedSession, seedUsage } from '../test-support/ledger-fixtures';
import { SecretBox } from '../secrets/secret-box';
import { RecordingNotifier } from '../test-support/recording-notifier';
import { WebhookDispatcher } from '../webhooks/webhook-dispatcher';
import { BudgetEnforcer } from './budget-enforcer';

let orm: Orm;
const clock = new ManualClock('2026-03-10T12:00:00.000Z');
beforeAll(async () => {
  orm = await openTestDatabase();
});
afterAll(() => orm.close());

async function budget(consumerId: string | null, limitUsd: number, action: 'alert' | 'block' | 'shutdown', period: 'day' | 'month' | 'total' = 'month') {
  const em = orm.em.fork();
  const row = em.create(BudgetEntity, {
    id: newId('bud'),
    consumerId,
    limitMicros: usdToMicros(limitUsd),
    period,
    thresholdsPercent: [50, 80, 100],
    webhookUrl: 'https://hooks.example.com/budget',
    action,
    createdAt: clock.now(),
    updatedAt: clock.now(),
  });
  await em.flush();
  return row;
}

async function spend(consumerId: string, hourStart: string, usd: number) {
  const em = orm.em.fork();
  em.create(CostEntryEntity, { sessionId: newId('ses'), consumerId, provider: 'vastai', gpuModel: 'RTX 4090', kind: 'compute', hourStart: new Date(hourStart), costMicros: usdToMicros(usd) });
  await em.flush();
}

describe('BudgetEnforcer.check', () => {
  it('fires each threshold once per period, to the budget’s webhook, and again in the next period', async () => {
    const em = orm.em.fork();
    const consumerId = seedConsumer(em, 'enforce-a', clock.now());
    await em.flush();
    const row = await budget(consumerId, 10, 'alert');
    const notifier = new RecordingNotifier();
    const ended: string[] = [];
    const enforcer = new BudgetEnforcer({ notifier, endSessions: async (id) => void ended.push(id) });

    await spend(consumerId, '2026-02-27T10:00:00Z', 50); // last month: does not count
    await spend(consumerId, '2026-03-02T10:00:00Z', 5);
    let [check] = (await enforcer.check(orm.em.fork(), clock.now())).filter((c) => c.budgetId === row.id);
    expect(check).toMatchObject({ spentUsd: 5, percentUsed: 50, fired: [50] });
    expect((await enforcer.check(orm.em.fork(), clock.now())).find((c) => c.budgetId === row.id)?.fired).toEqual([]);

    await spend(consumerId, '2026-03-05T10:00:00Z', 5.5);
    [check] = (await enforcer.check(orm.em.fork(), clock.now())).filter((c) => c.budgetId === row.id);
    expect(check).toMatchObject({ spentUsd: 10.5, fired: [80, 100], shutDown: [] });
    expect(notifier.sent.map((n) => [n.event, n.consumerId, n.payload.thresholdPercent, n.url])).toEqual([
      ['budget.threshold', consumerId, 50, 'https://hooks.example.com/budget'],
      ['budget.threshold', consumerId, 80, 'https://hooks.example.com/budget'],
      ['budget.threshold', consumerId, 100, 'https://hooks.example.com/budget'],
    ]);
    expect(notifier.sent[2]!.payload).toMatchObject({ budgetId: row.id, period: 'month', periodStart: '2026-03-01T00:00:00.000Z', limitUsd: 10, spentUsd: 10.5, action: 'alert' });
    expect(await orm.em.fork().count(BudgetAlertEntity, { budgetId: row.id })).toBe(3);
    expect(await orm.em.fork().count(AlertEntity, { kind: 'budget', consumerId })).toBe(1);

    // Concurrent checks (two scheduler ticks overlapping) still fire nothing twice.
    await Promise.all([enforcer.check(orm.em.fork(), clock.now()), enforcer.check(orm.em.fork(), clock.now())]);
    expect(notifier.sent).toHaveLength(3);

    // A new month starts from zero: the same spend fires again only once it recurs.
    await spend(consumerId, '2026-04-01T05:00:00Z', 6);
    const april = new Date('2026-04-01T12:00:00Z');
    expect((await enforcer.check(orm.em.fork(), april)).find((c) => c.budgetId === row.id)).toMatchObject({ periodStart: '2026-04-01T00:00:00.000Z', spentUsd: 6, fired: [50] });
    expect(ended).toEqual([]);
  });

  it('ends the consumer’s live sessions at 100% of a shutdown budget, accruing running sessions first', async () => {
    const em = orm.em.fork();
    const consumerId = seedConsumer(em, 'enforce-b', clock.now());
    const other = seedConsumer(em, 'enforce-c', clock.now());
    const session = seedPricedSession(em, clock, { consumerId, computePerHourUsd: 2, storagePerHourUsd: 0 });
    seedUsage(em, session, 'compute_started', new Date('2026-03-10T00:00:00Z'));
    seedPricedSession(em, clock, { consumerId: other });
    await em.flush();
    await budget(consumerId, 20, 'shutdown', 'day');
    const ended: [string, string][] = [];
    const enforcer = new BudgetEnforcer({ notifier: new RecordingNotifier(), endSessions: async (id, reason) => void ended.push([id, reason]), ledger: new LedgerService() });

    const at9 = await enforcer.check(orm.em.fork(), new Date('2026-03-10T09:00:00Z'));
    expect(at9.find((c) => c.consumerId === consumerId)).toMatchObject({ spentUsd: 18, fired: [50, 80], shutDown: [] });
    const at10 = await enforcer.check(orm.em.fork(), new Date('2026-03-10T10:00:00Z'));
    expect(at10.find((c) => c.consumerId === consumerId)).toMatchObject({ spentUsd: 20, fired: [100], shutDown: [consumerId] });
    expect(ended).toEqual([[consumerId, expect.stringContaining('day budget')]]);
  });

  it('a global shutdown budget ends every consumer’s live sessions', async () => {
    const fresh = await openTestDatabase();
    try {
      const em = fresh.em.fork();
      const a = seedConsumer(em, 'g-a', clock.now());
      const b = seedConsumer(em, 'g-b', clock.now());
      seedPricedSession(em, clock, { consumerId: a });
      seedPricedSession(em, clock, { consumerId: b });
      seedPricedSession(em, clock, { consumerId: b, state: 'stopped' });
      em.create(BudgetEntity, { id: newId('bud'), consumerId: null, limitMicros: 1_000_000, period: 'total', thresholdsPercent: [100], webhookUrl: null, action: 'shutdown', createdAt: clock.now(), updatedAt: clock.now() });
      em.create(CostEntryEntity, { sessionId: 'ses_x', consumerId: a, provider: 'vastai', gpuModel: 'A100', kind: 'compute', hourStart: new Date('2026-03-01T00:00:00Z'), costMicros: 1_000_000 });
      await em.flush();
      const ended: string[] = [];
      const notifier = new RecordingNotifier();
      const [check] = await new BudgetEnforcer({ notifier, endSessions: async (id) => void ended.push(id) }).check(fresh.em.fork(), clock.now());
      expect(check).toMatchObject({ consumerId: null, fired: [100] });
      expect(ended.sort()).toEqual([a, b].sort());
      expect(notifier.sent[0]).toMatchObject({ consumerId: null, url: undefined });
    } finally {
      await fresh.close();
    }
  });
  it('queues each threshold’s webhook in the transaction that records it: overlapping checks queue it once', async () => {
    const em = orm.em.fork();
    const consumerId = seedConsumer(em, 'enforce-outbox', clock.now());
    await em.flush();
    const row = await budget(consumerId, 10, 'alert', 'total');
    await spend(consumerId, '2026-03-02T10:00:00Z', 12);
    const notifier = new WebhookDispatcher({ orm, clock, secrets: SecretBox.fromKey(Buffer.alloc(32, 7)), operatorWebhookUrl: null, operatorWebhookSecret: null });
    const enforcer = new BudgetEnforcer({ notifier, endSessions: async () => {} });

    const checks = await Promise.all([enforcer.check(orm.em.fork(), clock.now()), enforcer.check(orm.em.fork(), clock.now())]);
    expect(checks.flatMap((check) => check.find((c) => c.budgetId === row.id)?.fired ?? []).sort((a, b) => a - b)).toEqual([50, 80, 100]);
    const queued = (await orm.em.fork().find(WebhookDeliveryEntity, { consumerId })).map((delivery) => (delivery.payload as { data: { thresholdPercent: number } }).data.thresholdPercent);
    expect(queued.sort((a, b) => a - b)).toEqual([50, 80, 100]);
    expect(await orm.em.fork().count(BudgetAlertEntity, { budgetId: row.id })).toBe(3);
    expect(await orm.em.fork().count(AlertEntity, { kind: 'budget', consumerId })).toBe(1);
  });
});

// Budget owners: a consumer's own budgets are its own; one an operator set binds the consumer, who
// reads it but cannot change or delete it. One budget per consumer (or global) and period.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock, type Caller } from '@gpu-shopper/domain';
import { AuditEventEntity, BudgetEntity, type Orm } from '@gpu-shopper/db';
import { openTestDatabase } from '@gpu-shopper/db/test-support';
import { seedConsumer } from '../test-support/ledger-fixtures';
import { BudgetService } from './budget-service';

describe('BudgetService owners', () => {
  let orm: Orm;
  const clock = new ManualClock('2026-03-10T12:00:00.000Z');
  const operator: Caller = { role: 'admin', keyId: 'key_op', consumerId: null };
  let atlas: Caller;
  let borealis: Caller;
  const service = () => new BudgetService(orm.em.fork(), clock);
  const audit = async () => (await orm.em.fork().find(AuditEventEntity, {}, { orderBy: { id: 'asc' } })).map((row) => ({ action: row.action, actorKeyId: row.actorKeyId, target: row.target, detail: row.detail }));

  beforeEach(async () => {
    orm = await openTestDatabase();
    const em = orm.em.fork();
    atlas = { role: 'consumer', keyId: 'key_atlas', consumerId: seedConsumer(em, 'atlas', clock.now()), consumerName: 'atlas' };
    borealis = { role: 'consumer', keyId: 'key_borealis', consumerId: seedConsumer(em, 'borealis', clock.now()), consumerName: 'borealis' };
    await em.flush();
  });
  afterEach(() => orm.close());

  it('lets a consumer set, update and delete its own budget, and records no operator action', async () => {
    const { budget, created } = await service().set(atlas, { limitUsd: 50, period: 'month', thresholdsPercent: [90, 50], action: 'block' });
    expect(created).toBe(true);
    expect(budget).toMatchObject({ consumerId: atlas.consumerId, setBy: 'consumer', limitUsd: 50, thresholdsPercent: [50, 90], action: 'block' });
    clock.advance(60_000);
    const again = await service().set(atlas, { limitUsd: 80, period: 'month' });
    // The same budget, updated: the options left out keep their values.
    expect(again).toMatchObject({ created: false, budget: { id: budget.id, limitUsd: 80, thresholdsPercent: [50, 90], action: 'block', setBy: 'consumer', updatedAt: '2026-03-10T12:01:00.000Z' } });
    expect(await orm.em.fork().count(BudgetEntity, {})).toBe(1);
    // Another period is another budget.
    expect((await service().set(atlas, { limitUsd: 5, period: 'day' })).created).toBe(true);
    await service().delete(atlas, budget.id);
    expect((await service().list(atlas)).map((b) => b.period)).toEqual(['day']);
    expect(await audit()).toEqual([]);
  });

  it('binds a consumer to an operator’s budget: readable, but neither changed nor deleted by its key', async () => {
    const { budget } = await service().set(operator, { consumer: 'atlas', limitUsd: 20, period: 'day', action: 'shutdown' });
    expect(budget).toMatchObject({ consumerId: atlas.consumerId, setBy: 'operator' });
    expect(await service().list(atlas)).toEqual([budget]);
    expect((await service().status(atlas)).map((status) => status.setBy)).toEqual(['operator']);

    const deleting = service().delete(atlas, budget.id);
    await expect(deleting).rejects.toMatchObject({ code: 'FORBIDDEN', message: `budget ${budget.id} (day) was set by an operator: a consumer key can read it but cannot delete it; ask an operator` });
    await expect(service().set(atlas, { limitUsd: 1_000, period: 'day', action: 'alert' })).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('cannot change it') });
    expect(await service().list(operator)).toEqual([budget]);
    // Another consumer does not even see it.
    await expect(service().delete(borealis, budget.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('lets an operator update and delete any budget, taking over a consumer’s own, with each action audited', async () => {
    const own = (await service().set(atlas, { limitUsd: 100, period: 'month' })).budget;
    clock.advance(1_000);
    const imposed = await service().set(operator, { consumer: 'atlas', limitUsd: 40, period: 'month', action: 'block' });
    expect(imposed).toMatchObject({ created: false, budget: { id: own.id, limitUsd: 40, action: 'block', setBy: 'operator' } });
    await expect(service().delete(atlas, own.id)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const global = await service().set(operator, { limitUsd: 1_000, period: 'total' });
    expect((await service().set(operator, { limitUsd: 2_000, period: 'total' })).budget.id).toBe(global.budget.id);
    await service().delete(operator, own.id);
    expect((await service().list(operator)).map((b) => [b.consumerId, b.limitUsd])).toEqual([[null, 2_000]]);
    expect(await audit()).toEqual([
      { action: 'budget.set', actorKeyId: 'key_op', target: own.id, detail: { consumerId: atlas.consumerId, period: 'month', limitUsd: 40, action: 'block', created: false } },
      { action: 'budget.set', actorKeyId: 'key_op', target: global.budget.id, detail: { consumerId: null, period: 'total', limitUsd: 1_000, action: 'alert', created: true } },
      { action: 'budget.set', actorKeyId: 'key_op', target: global.budget.id, detail: { consumerId: null, period: 'total', limitUsd: 2_000, action: 'alert', created: false } },
      { action: 'budget.deleted', actorKeyId: 'key_op', target: own.id, detail: { consumerId: atlas.consumerId, period: 'month', limitUsd: 40, setBy: 'operator' } },
    ]);
  });

  it('counts a budget that records no setter (written before owners) as an operator’s', async () => {
    const em = orm.em.fork();
    em.create(BudgetEntity, { id: 'bud_old', consumerId: atlas.consumerId, limitMicros: 1_000_000, period: 'month', thresholdsPercent: [100], webhookUrl: null, action: 'alert', createdAt: clock.now(), updatedAt: clock.now() });
    await em.flush();
    expect((await service().list(atlas))[0]?.setBy).toBe('operator');
    await expect(service().delete(atlas, 'bud_old')).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('commits the audit entry with the change, or neither', async () => {
    await expect(
      orm.em.fork().transactional(async (em) => {
        await new BudgetService(em, clock).set(operator, { consumer: 'atlas', limitUsd: 10, period: 'day' });
        throw new Error('the request failed after the change');
      }),
    ).rejects.toThrow('the request failed');
    expect(await orm.em.fork().count(BudgetEntity, {})).toBe(0);
    expect(await orm.em.fork().count(AuditEventEntity, {})).toBe(0);
  });
});

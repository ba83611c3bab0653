import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BudgetExceededError, ManualClock, usdToMicros } from '@gpu-shopper/domain';
import { BudgetEntity, CostEntryEntity, postgresAdvisoryLocks, SessionEntity, type Orm } from '@gpu-shopper/db';
import { openTestDatabase, testDialect } from '@gpu-shopper/db/test-support';
import { LedgerService } from '../costs/ledger';
import { newId } from '../ids';
import { seedConsumer, seedPricedSession, seedUsage } from '../test-support/ledger-fixtures';
import { BudgetGuard, projectedReservationMicros } from './budget-guard';
import { KeyedMutex } from './keyed-mutex';
import type { AlertInput } from '../alerts/alert-service';
import { SessionService } from '../sessions/session-service';

let orm: Orm;
const clock = new ManualClock('2026-03-10T12:00:00.000Z');
beforeEach(async () => {
  orm = await openTestDatabase();
});
afterEach(() => orm.close());

async function setup(options: { limitUsd: number; spentUsd: number; action?: 'alert' | 'block' | 'shutdown'; global?: boolean }) {
  const em = orm.em.fork();
  const consumerId = seedConsumer(em, `guard-${newId('c')}`, clock.now());
  em.create(BudgetEntity, {
    id: newId('bud'),
    consumerId: options.global ? null : consumerId,
    limitMicros: usdToMicros(options.limitUsd),
    period: 'month',
    thresholdsPercent: [100],
    webhookUrl: null,
    action: options.action ?? 'block',
    createdAt: clock.now(),
    updatedAt: clock.now(),
  });
  em.create(CostEntryEntity, { sessionId: newId('ses'), consumerId, provider: 'vastai', gpuModel: 'RTX 4090', kind: 'compute', hourStart: new Date('2026-03-05T00:00:00Z'), costMicros: usdToMicros(options.spentUsd) });
  await em.flush();
  return consumerId;
}

/** What provisioning does inside the guard: insert the priced session with its reservation, then flush. */
function provision(guard: BudgetGuard, consumerId: string, pricePerHourUsd: number, hours: number) {
  const em = orm.em.fork();
  return guard.withinBudget(consumerId, projectedReservationMicros(pricePerHourUsd, hours), em, async () => {
    await sleep(Math.floor(Math.random() * 3));
    const row = seedPricedSession(em, clock, { consumerId, computePerHourUsd: pricePerHourUsd, storagePerHourUsd: 0, reservationHours: hours, state: 'provisioning' });
    await em.flush();
    return row.id;
  });
}

describe('BudgetGuard.withinBudget', () => {
  it('lets 50 concurrent provisions commit only what a nearly spent block budget can cover', async () => {
    const consumerId = await setup({ limitUsd: 100, spentUsd: 97.5 });
    const guard = new BudgetGuard({ clock, ledger: new LedgerService() });
    const outcomes = await Promise.allSettled(Array.from({ length: 50 }, () => provision(guard, consumerId, 0.5, 2)));
    const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const refused = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    // $2.50 left, $1.00 per reservation: exactly two fit.
    expect(won).toHaveLength(2);
    expect(refused).toHaveLength(48);
    for (const outcome of refused) expect(outcome.reason).toBeInstanceOf(BudgetExceededError);
    expect(await orm.em.fork().count(SessionEntity, { consumerId })).toBe(2);
    const [headroom] = await guard.headroom(orm.em.fork(), consumerId);
    expect(headroom).toMatchObject({ committedMicros: 99_500_000, remainingMicros: 500_000 });
  });

  it('refuses with a clear 402 message, and runs nothing', async () => {
    const consumerId = await setup({ limitUsd: 10, spentUsd: 9 });
    const guard = new BudgetGuard({ clock });
    let ran = false;
    const error = await guard
      .withinBudget(consumerId, usdToMicros(1.5), orm.em.fork(), async () => {
        ran = true;
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BudgetExceededError);
    expect((error as BudgetExceededError).code).toBe('PAYMENT_REQUIRED');
    expect((error as Error).message).toMatch(/your month budget bud_\S+ of \$10\.00 has \$1\.00 left; this reservation may cost up to \$1\.50/);
    expect(ran).toBe(false);
    await expect(guard.withinBudget(consumerId, usdToMicros(1), orm.em.fork(), async () => 'fits')).resolves.toBe('fits');
  });

  it('counts running sessions’ unaccrued time and remaining reservation as committed', async () => {
    const consumerId = await setup({ limitUsd: 10, spentUsd: 0 });
    const em = orm.em.fork();
    // Running since 08:00 at $1/h with a reservation until 16:00: $4 accrued by noon, $4 still reserved.
    const session = seedPricedSession(em, clock, { consumerId, computePerHourUsd: 1, storagePerHourUsd: 0, reservationHours: 4 });
    seedUsage(em, session, 'compute_started', new Date('2026-03-10T08:00:00Z'));
    await em.flush();
    const guard = new BudgetGuard({ clock, ledger: new LedgerService() });
    await expect(guard.withinBudget(consumerId, usdToMicros(2.5), orm.em.fork(), async () => 'no')).rejects.toBeInstanceOf(BudgetExceededError);
    await expect(guard.withinBudget(consumerId, usdToMicros(2), orm.em.fork(), async () => 'yes')).resolves.toBe('yes');
  });

  it('ignores alert-only budgets, and serializes everyone under a global block budget', async () => {
    const alertOnly = await setup({ limitUsd: 1, spentUsd: 5, action: 'alert' });
    const guard = new BudgetGuard({ clock });
    await expect(guard.withinBudget(alertOnly, usdToMicros(100), orm.em.fork(), async () => 'ok')).resolves.toBe('ok');

    const a = await setup({ limitUsd: 20, spentUsd: 6, global: true });
    const b = seedConsumer(orm.em.fork(), 'guard-b', clock.now());
    const outcomes = await Promise.allSettled([...Array.from({ length: 10 }, () => provision(guard, a, 1, 1)), ...Array.from({ length: 10 }, () => provision(guard, b, 1, 1))]);
    // Everyone's spend counts toward the global budget ($6 + the alert-only consumer's $5): $9 left for 20 requests of $1.
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(9);
    expect(await orm.em.fork().count(SessionEntity, {})).toBe(9);
  });
});

describe('KeyedMutex', () => {
  it('runs same-key work one at a time in arrival order, other keys in parallel, and forgets idle keys', async () => {
    const mutex = new KeyedMutex();
    const log: string[] = [];
    const task = (key: string, name: string, ms: number) =>
      mutex.run(key, async () => {
        log.push(`start ${name}`);
        await sleep(ms);
        log.push(`end ${name}`);
      });
    await Promise.all([task('a', 'a1', 5), task('a', 'a2', 0), task('b', 'b1', 1)]);
    expect(log.indexOf('end a1')).toBeLessThan(log.indexOf('start a2'));
    expect(log.indexOf('start b1')).toBeLessThan(log.indexOf('end a1'));
    expect(mutex.activeKeys).toBe(0);
    await expect(mutex.run('a', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(mutex.run('a', async () => 'next')).resolves.toBe('next');
  });
});

describe('extending a session goes through the same guard', () => {
  const consumerCaller = (consumerId: string) => ({ role: 'consumer', keyId: 'k', consumerId, consumerName: 'x' }) as const;
  const alerts = () => {
    const raised: AlertInput[] = [];
    return { raised, sink: { raise: async (_em: unknown, alert: AlertInput) => (raised.push(alert), {}) as never } };
  };

  it('refuses, naming the budget, an extension a block budget cannot cover; six extends never reach 300%', async () => {
    const consumerId = await setup({ limitUsd: 10, spentUsd: 0 });
    const em = orm.em.fork();
    // $1/h for 2 h: $2 of a $10 budget committed; each extension of 2 h adds up to $2.
    const session = seedPricedSession(em, clock, { consumerId, computePerHourUsd: 1, storagePerHourUsd: 0, reservationHours: 2, state: 'ready' });
    await em.flush();
    const { sink } = alerts();
    const guard = new BudgetGuard({ clock, ledger: new LedgerService() });
    const service = () => new SessionService(orm.em.fork(), clock, null, undefined, null, { guard, alerts: sink });
    const outcomes: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      try {
        await service().extend(consumerCaller(consumerId), session.id, 2);
        outcomes.push('extended');
      } catch (error) {
        expect(error).toBeInstanceOf(BudgetExceededError);
        expect((error as Error).message).toMatch(/budget bud_/);
        outcomes.push('refused');
      }
    }
    // $2 + 4 × $2 = $10: the fifth and sixth would overshoot.
    expect(outcomes).toEqual(['extended', 'extended', 'extended', 'extended', 'refused', 'refused']);
    expect((await orm.em.fork().findOneOrFail(SessionEntity, { id: session.id })).reservationHours).toBe(10);
  });

  it('lets an extension past an alert budget through, and alerts', async () => {
    const consumerId = await setup({ limitUsd: 3, spentUsd: 0, action: 'alert' });
    const em = orm.em.fork();
    const session = seedPricedSession(em, clock, { consumerId, computePerHourUsd: 1, storagePerHourUsd: 0, reservationHours: 2, state: 'ready' });
    await em.flush();
    const { raised, sink } = alerts();
    const guard = new BudgetGuard({ clock, ledger: new LedgerService() });
    await new SessionService(orm.em.fork(), clock, null, undefined, null, { guard, alerts: sink }).extend(consumerCaller(consumerId), session.id, 2);
    expect((await orm.em.fork().findOneOrFail(SessionEntity, { id: session.id })).reservationHours).toBe(4);
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({ kind: 'budget', sessionId: session.id });
    expect(raised[0]!.message).toMatch(/past its \$3\.00 limit/);
  });
});

describe('BudgetGuard across replicas', () => {
  // Two guards are two replicas: each has its own in-memory locks; only the database serializes them.
  it.runIf(testDialect() === 'postgresql')('lets 50 concurrent provisions spread over two replicas commit only what the budget covers', async () => {
    const consumerId = await setup({ limitUsd: 100, spentUsd: 95 });
    const databaseUrl = orm.config.getClientUrl();
    const locks = [postgresAdvisoryLocks(databaseUrl), postgresAdvisoryLocks(databaseUrl)];
    try {
      const guards = locks.map((databaseLocks) => new BudgetGuard({ clock, ledger: new LedgerService(), databaseLocks }));
      const outcomes = await Promise.allSettled(Array.from({ length: 50 }, (_, index) => provision(guards[index % 2]!, consumerId, 0.5, 2)));
      // $5 left, $1 per reservation: exactly five fit, whichever replica took them.
      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(5);
      expect(await orm.em.fork().count(SessionEntity, { consumerId })).toBe(5);
    } finally {
      for (const lock of locks) await lock.close();
    }
  });
});

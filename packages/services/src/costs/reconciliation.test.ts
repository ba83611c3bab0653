import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, type Caller } from '@gpu-shopper/domain';
import { AlertEntity, CostEntryEntity, CostReconciliationEntity, ProvisionAttemptEntity, type Orm } from '@gpu-shopper/db';
import { openTestDatabase } from '@gpu-shopper/db/test-support';
import type { BillingCharge, ProviderAdapter } from '@gpu-shopper/providers';
import { seedConsumer, seedPricedSession, seedUsage } from '../test-support/ledger-fixtures';
import { RecordingNotifier } from '../test-support/recording-notifier';
import { CostService } from './cost-service';
import { LedgerService } from './ledger';
import { ReconciliationService } from './reconciliation';

/** A provider whose bill the test sets per instance (or makes fail). */
function billingAdapter(name: 'vastai' | 'tensordock', billedUsd: Map<string, number>, fail = false): ProviderAdapter {
  const unused = async (): Promise<never> => {
    throw new Error('not used');
  };
  return {
    name,
    searchOffers: unused,
    createInstance: unused,
    getInstance: unused,
    listInstances: unused,
    destroyInstance: unused,
    stopInstance: unused,
    startInstance: unused,
    describeBilling: async (instanceIds, from, to): Promise<BillingCharge[]> => {
      if (fail) throw new Error('charges endpoint down');
      return instanceIds
        .filter((id) => billedUsd.has(id))
        .map((instanceId) => ({ instanceId, from: from.toISOString(), to: to.toISOString(), amountUsd: billedUsd.get(instanceId)!, items: [] }));
    },
  };
}

describe('ReconciliationService', () => {
  let orm: Orm;
  const clock = new ManualClock('2026-03-10T10:00:00.000Z');
  const ids: Record<string, { sessionId: string; instanceId: string; consumerId: string }> = {};
  beforeAll(async () => {
    orm = await openTestDatabase();
    const em = orm.em.fork();
    for (const name of ['exact', 'drifting', 'unbilled']) {
      const consumerId = seedConsumer(em, `recon-${name}`, clock.now());
      // $1/h compute, no storage, 10:00 to 12:00 (ended): $2.00 in our ledger.
      const session = seedPricedSession(em, clock, { consumerId, computePerHourUsd: 1, storagePerHourUsd: 0, instanceId: `i-${name}` });
      seedUsage(em, session, 'compute_started', new Date('2026-03-10T10:00:00Z'));
      seedUsage(em, session, 'storage_stopped', new Date('2026-03-10T12:00:00Z'));
      ids[name] = { sessionId: session.id, instanceId: `i-${name}`, consumerId };
    }
    const td = seedPricedSession(em, clock, { consumerId: ids.exact!.consumerId, provider: 'tensordock' });
    seedUsage(em, td, 'compute_started', new Date('2026-03-10T10:00:00Z'));
    await em.flush();
  });
  afterAll(() => orm.close());

  it('stores a comparison per session and alerts once on drift above 1%', async () => {
    const billed = new Map([
      ['i-exact', 2.005],
      ['i-drifting', 1.9],
    ]);
    const notifier = new RecordingNotifier();
    const service = new ReconciliationService({ notifier });
    const now = new Date('2026-03-10T13:00:00Z');
    const run = await service.run(orm.em.fork(), [billingAdapter('vastai', billed)], now);
    const byName = (name: string) => run.results.find((result) => result.sessionId === ids[name]!.sessionId)!;
    expect(run.results).toHaveLength(3);
    expect(byName('exact')).toMatchObject({ ledgerUsd: 2, providerUsd: 2.005, drift: false, from: '2026-03-10T10:00:00.000Z', to: '2026-03-10T12:00:00.000Z' });
    expect(byName('drifting')).toMatchObject({ ledgerUsd: 2, providerUsd: 1.9, drift: true });
    expect(byName('drifting').differenceRatio).toBeCloseTo(0.1 / 1.9, 9);
    expect(byName('unbilled')).toMatchObject({ providerUsd: 0, differenceRatio: null, drift: false });

    const alerts = await orm.em.fork().find(AlertEntity, { kind: 'cost_drift' });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ sessionId: ids.drifting!.sessionId, provider: 'vastai', instanceId: 'i-drifting' });
    expect(alerts[0]!.message).toContain('5.26%');
    expect(notifier.sent).toEqual([{ event: 'cost.drift', consumerId: null, url: undefined, payload: expect.objectContaining({ sessionId: ids.drifting!.sessionId, ledgerUsd: 2, providerUsd: 1.9 }) }]);

    // An ended session that agreed is settled; the unbilled and the drifting ones are compared again
    // (the provider may bill late or correct itself), without a second alert for the same drift.
    billed.set('i-unbilled', 2);
    const second = await service.run(orm.em.fork(), [billingAdapter('vastai', billed)], new Date('2026-03-10T14:00:00Z'));
    expect(second.results.map((result) => result.sessionId).sort()).toEqual([ids.drifting!.sessionId, ids.unbilled!.sessionId].sort());
    expect(await orm.em.fork().count(AlertEntity, { kind: 'cost_drift' })).toBe(1);
    expect(notifier.sent).toHaveLength(1);
    // A week after the end, nothing is compared any more.
    expect((await service.run(orm.em.fork(), [billingAdapter('vastai', billed)], new Date('2026-03-18T14:00:00Z'))).results).toEqual([]);
  });

  it('reports a provider whose billing cannot be read, and skips providers without a billing endpoint', async () => {
    const fresh = await openTestDatabase();
    try {
      const em = fresh.em.fork();
      const session = seedPricedSession(em, clock, { consumerId: seedConsumer(em, 'recon-fail', clock.now()), instanceId: 'i-1' });
      seedUsage(em, session, 'compute_started', clock.now());
      await em.flush();
      const service = new ReconciliationService();
      const later = new Date('2026-03-10T11:00:00Z');
      expect(await service.run(fresh.em.fork(), [billingAdapter('vastai', new Map(), true)], later)).toEqual({ results: [], failures: [{ provider: 'vastai', message: 'charges endpoint down' }] });
      const { describeBilling: _ignored, ...withoutBilling } = billingAdapter('vastai', new Map());
      expect(await service.run(fresh.em.fork(), [withoutBilling], later)).toEqual({ results: [], failures: [] });
      // An open session is compared again on every run, up to now.
      const open = await service.run(fresh.em.fork(), [billingAdapter('vastai', new Map([['i-1', 0.42]]))], later);
      expect(open.results[0]).toMatchObject({ to: later.toISOString(), providerUsd: 0.42 });
      expect(await fresh.em.fork().count(CostReconciliationEntity, {})).toBe(1);
    } finally {
      await fresh.close();
    }
  });

  it('lists the latest comparison per session, scoped to the caller', async () => {
    const service = new ReconciliationService();
    const operator: Caller = { role: 'admin', keyId: 'k', consumerId: null, consumerName: null } as unknown as Caller;
    const all = await service.latest(orm.em.fork(), operator);
    expect(all.map((result) => result.sessionId).sort()).toEqual([ids.exact!.sessionId, ids.drifting!.sessionId, ids.unbilled!.sessionId].sort());
    expect(all.find((result) => result.sessionId === ids.unbilled!.sessionId)).toMatchObject({ providerUsd: 2, differenceRatio: 0 });
    expect(all.find((result) => result.sessionId === ids.drifting!.sessionId)?.drift).toBe(true);
    const consumer = { role: 'consumer', keyId: 'k2', consumerId: ids.drifting!.consumerId, consumerName: 'recon-drifting' } as unknown as Caller;
    expect((await service.latest(orm.em.fork(), consumer)).map((result) => result.sessionId)).toEqual([ids.drifting!.sessionId]);
  });

  it('trues an ended session up to the provider’s final bill, over every instance it had, once', async () => {
    const fresh = await openTestDatabase();
    try {
      const em = fresh.em.fork();
      const consumerId = seedConsumer(em, 'recon-trueup', clock.now());
      // Failed over once: instance i-a (10:00-10:30), then i-b (10:30-12:00). $1/h: $2.00 metered.
      const session = seedPricedSession(em, clock, { consumerId, computePerHourUsd: 1, storagePerHourUsd: 0, instanceId: 'i-a', state: 'terminated' });
      seedUsage(em, session, 'compute_started', new Date('2026-03-10T10:00:00Z'));
      seedUsage(em, session, 'storage_stopped', new Date('2026-03-10T10:30:00Z'));
      session.providerInstanceId = 'i-b';
      seedUsage(em, session, 'compute_started', new Date('2026-03-10T10:30:00Z'));
      seedUsage(em, session, 'storage_stopped', new Date('2026-03-10T12:00:00Z'));
      em.create(ProvisionAttemptEntity, { sessionId: session.id, attempt: 1, provider: 'vastai', offerId: 'vastai:1', instanceId: 'i-a', outcome: 'deadline', error: null, startedAt: new Date('2026-03-10T10:00:00Z'), finishedAt: null });
      await em.flush();
      const ledger = new LedgerService();
      const service = new ReconciliationService({ ledger });
      const now = new Date('2026-03-10T13:00:00Z');
      const billed = billingAdapter('vastai', new Map([['i-a', 0.55], ['i-b', 1.52]]));
      const [result] = (await service.run(fresh.em.fork(), [billed], now)).results;
      expect(result).toMatchObject({ ledgerUsd: 2, providerUsd: 2.07, adjustmentUsd: 0.07 });
      const operator = { role: 'admin', keyId: 'k', consumerId: null } as unknown as Caller;
      const at13 = new ManualClock(now);
      const cost = await new CostService(fresh.em.fork(), { clock: at13, ledger }).sessionCost(operator, session.id);
      expect(cost).toMatchObject({ computeUsd: 2, adjustmentUsd: 0.07, totalUsd: 2.07 });
      // Accruing again keeps the adjustment; reconciling again neither stacks nor repeats it (settled).
      await ledger.accrue(fresh.em.fork(), now);
      expect((await service.run(fresh.em.fork(), [billed], now)).results).toEqual([]);
      expect(await fresh.em.fork().count(CostEntryEntity, { sessionId: session.id, kind: 'adjustment' })).toBe(1);
      expect((await new CostService(fresh.em.fork(), { clock: at13, ledger }).sessionCost(operator, session.id)).totalUsd).toBe(2.07);
    } finally {
      await fresh.close();
    }
  });

  it('asks for the bill from the first create on: a failed attempt can be billed before any meter of the session opened', async () => {
    const fresh = await openTestDatabase();
    try {
      const em = fresh.em.fork();
      const consumerId = seedConsumer(em, 'recon-early-attempt', clock.now());
      // i-fail was created at 09:59 and failed at once (no usage of its own); i-ok ran 10:00-11:00.
      const session = seedPricedSession(em, clock, { consumerId, computePerHourUsd: 1, storagePerHourUsd: 0, instanceId: 'i-ok', state: 'terminated' });
      seedUsage(em, session, 'compute_started', new Date('2026-03-10T10:00:00Z'));
      seedUsage(em, session, 'storage_stopped', new Date('2026-03-10T11:00:00Z'));
      em.create(ProvisionAttemptEntity, { sessionId: session.id, attempt: 1, provider: 'vastai', offerId: 'vastai:1', instanceId: 'i-fail', outcome: 'failed', error: 'exited', startedAt: new Date('2026-03-10T09:59:00Z'), finishedAt: null });
      await em.flush();
      const asked: Date[] = [];
      const adapter = billingAdapter('vastai', new Map([['i-fail', 0.02], ['i-ok', 1]]));
      const describe = adapter.describeBilling!;
      adapter.describeBilling = (instanceIds, from, to) => {
        asked.push(from);
        return describe(instanceIds, from, to);
      };
      const [result] = (await new ReconciliationService({ ledger: new LedgerService() }).run(fresh.em.fork(), [adapter], new Date('2026-03-10T12:00:00Z'))).results;
      expect(asked).toEqual([new Date('2026-03-10T09:59:00Z')]);
      expect(result).toMatchObject({ ledgerUsd: 1, providerUsd: 1.02, adjustmentUsd: 0.02 });
    } finally {
      await fresh.close();
    }
  });

  it('trues up a session whose comparison while it ran looked close enough, once it has ended', async () => {
    const fresh = await openTestDatabase();
    try {
      const em = fresh.em.fork();
      const consumerId = seedConsumer(em, 'recon-late-end', clock.now());
      // $1/h: 10:00-11:00 metered. A comparison at 11:00, while it still ran, saw $1.000 against a
      // bill of $0.995: under the $0.01 alert threshold. The end was then dated back to 10:59:42.
      const session = seedPricedSession(em, clock, { consumerId, computePerHourUsd: 1, storagePerHourUsd: 0, instanceId: 'i-late', state: 'terminated' });
      session.endedAt = new Date('2026-03-10T11:00:30Z');
      seedUsage(em, session, 'compute_started', new Date('2026-03-10T10:00:00Z'));
      seedUsage(em, session, 'storage_stopped', new Date('2026-03-10T10:59:42Z'));
      em.create(CostReconciliationEntity, { sessionId: session.id, consumerId, provider: 'vastai', from: new Date('2026-03-10T10:00:00Z'), to: new Date('2026-03-10T11:00:00Z'), ledgerMicros: 1_000_000, providerMicros: 995_000, differenceRatio: 0.005, adjustmentMicros: 0, checkedAt: new Date('2026-03-10T11:00:00Z') });
      await em.flush();
      const service = new ReconciliationService({ ledger: new LedgerService() });
      const billed = billingAdapter('vastai', new Map([['i-late', 0.995]]));
      const [result] = (await service.run(fresh.em.fork(), [billed], new Date('2026-03-10T11:05:00Z'))).results;
      expect(result).toMatchObject({ sessionId: session.id, providerUsd: 0.995, adjustmentUsd: expect.any(Number) });
      expect(result!.ledgerUsd + result!.adjustmentUsd).toBeCloseTo(0.995, 6);
      // Trued up after its end: settled.
      expect((await service.run(fresh.em.fork(), [billed], new Date('2026-03-10T11:10:00Z'))).results).toEqual([]);
    } finally {
      await fresh.close();
    }
  });
});

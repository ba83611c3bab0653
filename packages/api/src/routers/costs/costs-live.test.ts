// The real-time cost procedures: accrual before answering, grouping, one session's cost, reconciliation.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MS_PER_HOUR } from '@gpu-shopper/domain';
import { CostReconciliationEntity, SessionEntity, UsageEventEntity } from '@gpu-shopper/db';
import { createHarness, type Harness } from '../../test-support/harness';

describe('live costs', () => {
  let h: Harness;
  let vastSession: string;
  let tdSession: string;
  beforeEach(async () => {
    h = await createHarness();
    vastSession = await h.seedSession('atlas');
    tdSession = await h.seedSession('borealis');
    const em = h.orm.em.fork();
    const start = h.clock.now();
    for (const [id, provider, gpuModel, computePerHourUsd] of [
      [vastSession, 'vastai', 'RTX 4090', 0.5],
      [tdSession, 'tensordock', 'H100 SXM', 2],
    ] as const) {
      const row = await em.findOneOrFail(SessionEntity, { id });
      Object.assign(row, { provider, gpuModel, providerInstanceId: `i-${id}`, computePerHourUsd, storagePerHourUsd: 0.1, pricePerHourUsd: computePerHourUsd + 0.1, state: 'ready' });
      for (const kind of ['storage_started', 'compute_started'] as const) em.create(UsageEventEntity, { sessionId: id, consumerId: row.consumerId, provider, instanceId: `i-${id}`, kind, at: start });
    }
    await em.flush();
  });
  afterEach(() => h.close());

  it('accrues running sessions up to now before answering, per consumer', async () => {
    h.clock.advance(2 * MS_PER_HOUR);
    const atlas = await h.as(h.keys.atlas!).costs.summary({ period: 'total' });
    expect(atlas).toMatchObject({ totalUsd: 1.2, accruedAt: h.clock.now().toISOString() });
    h.clock.advance(30 * 60_000);
    expect((await h.as(h.keys.atlas!).costs.summary({ period: 'total' })).totalUsd).toBe(1.5);
  });

  it('groups by provider and GPU model on request, for operators across consumers', async () => {
    h.clock.advance(MS_PER_HOUR);
    const admin = h.as(h.adminKey);
    const byProvider = await admin.costs.summary({ period: 'day', group_by: 'provider' });
    expect(byProvider.totalUsd).toBe(2.7);
    expect(byProvider.groups).toEqual([
      { key: 'tensordock', totalUsd: 2.1, computeUsd: 2, storageUsd: 0.1, adjustmentUsd: 0, buckets: [{ start: '2026-03-01T00:00:00.000Z', costUsd: 2.1 }] },
      { key: 'vastai', totalUsd: 0.6, computeUsd: 0.5, storageUsd: 0.1, adjustmentUsd: 0, buckets: [{ start: '2026-03-01T00:00:00.000Z', costUsd: 0.6 }] },
    ]);
    expect((await admin.costs.summary({ period: 'day', group_by: 'gpu' })).groups?.map((group) => group.key)).toEqual(['H100 SXM', 'RTX 4090']);
    expect((await admin.costs.summary({ period: 'day' })).groups).toBeUndefined();
    // A consumer's grouping covers only its own spend.
    expect((await h.as(h.keys.atlas!).costs.summary({ period: 'day', group_by: 'provider' })).groups?.map((group) => group.key)).toEqual(['vastai']);
  });

  it('gives one session’s cost with its compute/storage split, to its consumer and operators only', async () => {
    h.clock.advance(90 * 60_000);
    const cost = await h.as(h.keys.atlas!).costs.session({ id: vastSession });
    expect(cost).toMatchObject({ sessionId: vastSession, provider: 'vastai', computeUsd: 0.75, storageUsd: 0.15, totalUsd: 0.9, computePerHourUsd: 0.5, storagePerHourUsd: 0.1 });
    expect(cost.hours).toEqual([
      { start: '2026-03-01T10:00:00.000Z', computeUsd: 0.5, storageUsd: 0.1 },
      { start: '2026-03-01T11:00:00.000Z', computeUsd: 0.25, storageUsd: 0.05 },
    ]);
    await expect(h.as(h.keys.borealis!).costs.session({ id: vastSession })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await h.as(h.adminKey).costs.session({ id: tdSession })).totalUsd).toBe(3.15);
  });

  it('shows operators the latest reconciliation per session, and refuses consumers', async () => {
    const em = h.orm.em.fork();
    const row = await em.findOneOrFail(SessionEntity, { id: vastSession });
    for (const [checkedAt, providerMicros] of [
      ['2026-03-01T11:00:00Z', 1_000_000],
      ['2026-03-01T12:00:00Z', 1_100_000],
    ] as const) {
      em.create(CostReconciliationEntity, { sessionId: row.id, consumerId: row.consumerId, provider: 'vastai', from: h.clock.now(), to: new Date(checkedAt), ledgerMicros: 1_000_000, providerMicros, differenceRatio: (1_000_000 - providerMicros) / providerMicros, checkedAt: new Date(checkedAt) });
    }
    await em.flush();
    const { results } = await h.as(h.adminKey).costs.reconciliation({});
    expect(results).toEqual([expect.objectContaining({ sessionId: vastSession, ledgerUsd: 1, providerUsd: 1.1, drift: true, checkedAt: '2026-03-01T12:00:00.000Z' })]);
    await expect(h.as(h.keys.atlas!).costs.reconciliation({})).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('reports budgets with their real-time spend and reserved hours', async () => {
    const atlas = h.as(h.keys.atlas!);
    await atlas.budgets.create({ limitUsd: 10, period: 'day', action: 'block' });
    h.clock.advance(MS_PER_HOUR);
    const { budgets } = await atlas.budgets.status({});
    // $0.60 accrued; the 2-hour reservation started at 10:00 has an hour left at $0.60/h.
    expect(budgets).toEqual([expect.objectContaining({ period: 'day', spentUsd: 0.6, reservedUsd: 0.6, remainingUsd: 8.8, percentUsed: 6, periodStart: '2026-03-01T00:00:00.000Z' })]);
    expect((await h.as(h.adminKey).budgets.status({})).budgets).toHaveLength(1);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CostEntryEntity } from '@gpu-shopper/db';
import { createHarness, type Harness } from '../../test-support/harness';

describe('costs router', () => {
  let h: Harness;
  let atlasId: string;
  beforeEach(async () => {
    h = await createHarness();
    atlasId = (await h.as(h.keys.atlas!).admin.whoami({})).consumerId!;
    const borealisId = (await h.as(h.keys.borealis!).admin.whoami({})).consumerId!;
    const em = h.orm.em.fork();
    const entry = (consumerId: string, hourStart: string, costMicros: number, kind: 'compute' | 'storage' = 'compute') =>
      em.create(CostEntryEntity, { sessionId: `ses_${consumerId}`, consumerId, provider: 'vastai', gpuModel: 'RTX 4090', kind, hourStart: new Date(hourStart), costMicros });
    entry(atlasId, '2026-02-27T23:00:00.000Z', 400_000);
    entry(atlasId, '2026-02-28T00:00:00.000Z', 400_000);
    entry(atlasId, '2026-02-28T00:00:00.000Z', 1_389, 'storage');
    entry(atlasId, '2026-03-01T09:00:00.000Z', 250_000);
    entry(borealisId, '2026-03-01T09:00:00.000Z', 9_000_000);
    await em.flush();
  });
  afterEach(() => h.close());

  it('gives a consumer its own costs bucketed per day, in exact sums', async () => {
    const summary = await h.as(h.keys.atlas!).costs.summary({ period: 'day' });
    expect(summary).toMatchObject({ consumerId: atlasId, period: 'day', totalUsd: 1.051389 });
    expect(summary.buckets).toEqual([
      { start: '2026-02-27T00:00:00.000Z', costUsd: 0.4 },
      { start: '2026-02-28T00:00:00.000Z', costUsd: 0.401389 },
      { start: '2026-03-01T00:00:00.000Z', costUsd: 0.25 },
    ]);
  });

  it('buckets per hour and month, and limits by from/to', async () => {
    const atlas = h.as(h.keys.atlas!);
    expect((await atlas.costs.summary({ period: 'month' })).buckets).toEqual([
      { start: '2026-02-01T00:00:00.000Z', costUsd: 0.801389 },
      { start: '2026-03-01T00:00:00.000Z', costUsd: 0.25 },
    ]);
    expect((await atlas.costs.summary({ period: 'hour', from: '2026-02-28', to: '2026-03-01T00:00:00Z' })).buckets).toEqual([{ start: '2026-02-28T00:00:00.000Z', costUsd: 0.401389 }]);
    expect((await atlas.costs.summary({ period: 'total' })).buckets).toHaveLength(1);
  });

  it('lets operators see everyone or one consumer by name', async () => {
    const admin = h.as(h.adminKey);
    expect((await admin.costs.summary({ period: 'total' })).totalUsd).toBe(10.051389);
    expect((await admin.costs.summary({ period: 'total', consumer: 'borealis' })).totalUsd).toBe(9);
  });

  it('gives each group its own buckets, which stack up to the report’s', async () => {
    const admin = h.as(h.adminKey);
    const byConsumer = await admin.costs.summary({ period: 'day', group_by: 'consumer' });
    expect(byConsumer.groups).toEqual([
      expect.objectContaining({ key: expect.not.stringMatching(atlasId), totalUsd: 9, buckets: [{ start: '2026-03-01T00:00:00.000Z', costUsd: 9 }] }),
      expect.objectContaining({
        key: atlasId,
        totalUsd: 1.051389,
        buckets: [
          { start: '2026-02-27T00:00:00.000Z', costUsd: 0.4 },
          { start: '2026-02-28T00:00:00.000Z', costUsd: 0.401389 },
          { start: '2026-03-01T00:00:00.000Z', costUsd: 0.25 },
        ],
      }),
    ]);
    const stacked = new Map<string, number>();
    for (const group of byConsumer.groups ?? []) for (const bucket of group.buckets) stacked.set(bucket.start, Math.round(((stacked.get(bucket.start) ?? 0) + bucket.costUsd) * 1e6) / 1e6);
    expect(byConsumer.buckets.map((bucket) => [bucket.start, bucket.costUsd])).toEqual([...stacked.entries()].sort(([a], [b]) => a.localeCompare(b)));
    // Per month, the same entries fall into one bucket per group and month.
    expect((await admin.costs.summary({ period: 'month', group_by: 'gpu' })).groups).toEqual([
      expect.objectContaining({
        key: 'RTX 4090',
        buckets: [
          { start: '2026-02-01T00:00:00.000Z', costUsd: 0.801389 },
          { start: '2026-03-01T00:00:00.000Z', costUsd: 9.25 },
        ],
      }),
    ]);
  });

  it('refuses another consumer’s costs and a reversed range', async () => {
    const atlas = h.as(h.keys.atlas!);
    await expect(atlas.costs.summary({ period: 'day', consumer: 'borealis' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(atlas.costs.summary({ period: 'day', from: '2026-03-02', to: '2026-03-01' })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('from') });
    await expect(atlas.costs.summary({ period: 'day', from: 'yesterday' })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('from') });
  });
});

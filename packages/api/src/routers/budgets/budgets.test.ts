import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../test-support/harness';

describe('budgets router', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness();
  });
  afterEach(() => h.close());

  it('lets a consumer set, list and delete its own budgets', async () => {
    const atlas = h.as(h.keys.atlas!);
    const budget = await atlas.budgets.create({ limitUsd: 100, period: 'month', thresholdsPercent: [80, 50, 100], webhookUrl: 'https://hooks.example.com/a', action: 'block' });
    expect(budget).toMatchObject({ limitUsd: 100, period: 'month', thresholdsPercent: [50, 80, 100], action: 'block', webhookUrl: 'https://hooks.example.com/a' });
    expect((await atlas.budgets.list({})).budgets.map((b) => b.id)).toEqual([budget.id]);
    expect((await h.as(h.keys.borealis!).budgets.list({})).budgets).toEqual([]);
    await expect(h.as(h.keys.borealis!).budgets.delete({ id: budget.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await atlas.budgets.delete({ id: budget.id });
    expect((await atlas.budgets.list({})).budgets).toEqual([]);
  });

  it('defaults thresholds to 50/80/100 and the action to alert', async () => {
    expect(await h.as(h.keys.atlas!).budgets.create({ limitUsd: 5, period: 'day' })).toMatchObject({ thresholdsPercent: [50, 80, 100], action: 'alert', webhookUrl: null });
  });

  it('lets operators set global and per-consumer budgets and see all', async () => {
    const admin = h.as(h.adminKey);
    const global = await admin.budgets.create({ limitUsd: 1000, period: 'total' });
    const forAtlas = await admin.budgets.create({ consumer: 'atlas', limitUsd: 10, period: 'day' });
    expect(global.consumerId).toBeNull();
    expect(forAtlas.consumerId).toBe((await h.as(h.keys.atlas!).admin.whoami({})).consumerId);
    expect((await admin.budgets.list({})).budgets).toHaveLength(2);
    await expect(admin.budgets.create({ consumer: 'ghost', limitUsd: 1, period: 'day' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses another consumer’s budget, bad thresholds and unsafe webhooks', async () => {
    const atlas = h.as(h.keys.atlas!);
    await expect(atlas.budgets.create({ consumer: 'borealis', limitUsd: 1, period: 'day' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(atlas.budgets.create({ limitUsd: 1, period: 'day', thresholdsPercent: [50, 50] })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('thresholdsPercent') });
    await expect(atlas.budgets.create({ limitUsd: 0, period: 'day' })).rejects.toMatchObject({ message: expect.stringContaining('limitUsd') });
    await expect(atlas.budgets.create({ limitUsd: 1, period: 'day', webhookUrl: 'http://example.com/hook' })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('webhookUrl') });
    await expect(atlas.budgets.create({ limitUsd: 1, period: 'day', webhookUrl: 'not a url' })).rejects.toMatchObject({ message: expect.stringContaining('webhookUrl') });
    await expect(atlas.budgets.create({ limitUsd: 1, period: 'day', webhookUrl: 'https://u:p@example.com/' })).rejects.toMatchObject({ message: expect.stringContaining('credentials') });
  });
});

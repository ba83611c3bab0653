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

  it('lets a consumer read a budget an operator set, but not change or delete it (403 naming why)', async () => {
    const imposed = await h.as(h.adminKey).budgets.create({ consumer: 'atlas', limitUsd: 20, period: 'day', action: 'shutdown' });
    expect(imposed).toMatchObject({ setBy: 'operator', created: true });
    const atlas = h.as(h.keys.atlas!);
    expect((await atlas.budgets.list({})).budgets).toEqual([expect.objectContaining({ id: imposed.id, setBy: 'operator', limitUsd: 20 })]);
    await expect(atlas.budgets.delete({ id: imposed.id })).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining(`budget ${imposed.id} (day) was set by an operator`) });
    await expect(atlas.budgets.create({ limitUsd: 10_000, period: 'day' })).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('cannot change it') });
    // Its own budget for another period stays its own.
    const own = await atlas.budgets.create({ limitUsd: 100, period: 'month' });
    expect(own).toMatchObject({ setBy: 'consumer', created: true });
    const raised = await h.as(h.adminKey).budgets.create({ consumer: 'atlas', limitUsd: 25, period: 'day' });
    expect(raised).toMatchObject({ id: imposed.id, limitUsd: 25, action: 'shutdown', created: false });
    expect((await h.as(h.adminKey).budgets.list({})).budgets.map((b) => [b.period, b.setBy]).sort()).toEqual([
      ['day', 'operator'],
      ['month', 'consumer'],
    ]);
    await h.as(h.adminKey).budgets.delete({ id: imposed.id });
    expect((await atlas.budgets.list({})).budgets.map((b) => b.id)).toEqual([own.id]);
  });

  it('updates the budget of the same consumer and period instead of adding a second', async () => {
    const atlas = h.as(h.keys.atlas!);
    const first = await atlas.budgets.create({ limitUsd: 100, period: 'month', action: 'block' });
    const second = await atlas.budgets.create({ limitUsd: 150, period: 'month' });
    expect(second).toMatchObject({ id: first.id, limitUsd: 150, action: 'block', created: false });
    expect((await atlas.budgets.list({})).budgets).toHaveLength(1);
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

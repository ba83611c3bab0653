import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiKeyEntity } from '@gpu-shopper/db';
import { createInnerContext } from './context';
import { createHarness, type Harness } from './test-support/harness';

describe('the per-request context', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness();
  });
  afterEach(() => h.close());

  it('forks nothing and builds no service until one is used', async () => {
    // The first check of a key reads the database (and so forks) and fills the caller cache.
    await createInnerContext(h.deps, { apiKey: h.keys.atlas! }).services.apiKeys.authenticate(h.keys.atlas!);
    const fork = vi.spyOn(h.orm.em, 'fork');
    const ctx = createInnerContext(h.deps, { apiKey: h.keys.atlas! });
    expect(fork).not.toHaveBeenCalled();
    // A key verified moments ago is answered from the caller cache: still no fork.
    expect(await ctx.services.apiKeys.authenticate(h.keys.atlas!)).toMatchObject({ consumerName: 'atlas' });
    expect(fork).not.toHaveBeenCalled();
    expect(ctx.services.apiKeys).toBe(ctx.services.apiKeys);
  });

  it('forks once on first use, and the procedure and every service share that fork', async () => {
    const fork = vi.spyOn(h.orm.em, 'fork');
    const ctx = createInnerContext(h.deps, { apiKey: null });
    const spread = { ...ctx, caller: null };
    expect(fork).not.toHaveBeenCalled();
    const keys = await spread.em.find(ApiKeyEntity, {});
    expect(keys.length).toBe(3);
    expect(fork).toHaveBeenCalledTimes(1);
    const [row] = keys;
    // The same identity map: what the procedure loaded, a service sees as the same object.
    expect(await ctx.em.findOne(ApiKeyEntity, { id: row!.id })).toBe(row);
    expect(ctx.em).toBeInstanceOf(Object.getPrototypeOf(h.orm.em).constructor);
    expect((await ctx.services.sessions.list({ role: 'admin', keyId: 'k', consumerId: null })).sessions).toEqual([]);
    expect(fork).toHaveBeenCalledTimes(1);
  });
});

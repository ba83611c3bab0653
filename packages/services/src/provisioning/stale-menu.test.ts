// Renting from a menu that could not be refreshed: a provider that only rate-limits our listings is
// rented from its cached offers (the 5-minute cache is there for that); one that fails to list gets
// a retryable 503 naming it, not a "nothing matches" 409.
import { afterEach, describe, expect, it } from 'vitest';
import { UnavailableError } from '@gpu-shopper/domain';
import { createLifecycleHarness, type LifecycleHarness } from '../test-support/lifecycle-harness';

describe('provisioning from a stale menu', () => {
  let h: LifecycleHarness;
  afterEach(() => h?.close());

  it('rents from a rate-limited provider’s cached offers', async () => {
    h = await createLifecycleHarness();
    await h.inventory.search({});
    h.clock.advance(61_000);
    h.sims.vast.faults.set({ errors: { search: { status: 429 } } });
    const menu = await h.inventory.search({ provider: 'vastai' });
    expect(menu.providers.find((status) => status.provider === 'vastai')).toMatchObject({ status: 'stale', rateLimited: true });

    const session = await h.provisioner.provision(h.consumer, { gpu: '4090', hours: 1, workload: 'batch', provider: 'vastai' });
    await h.provisioner.settled();
    expect((await h.session(session.id)).providerInstanceId).not.toBeNull();
  });

  it('answers a retryable 503 while a provider rate-limits the first listing, and rents once it answers', async () => {
    h = await createLifecycleHarness();
    h.sims.vast.faults.set({ errors: { search: { status: 429 } } });
    const request = { gpu: '4090', hours: 1, workload: 'batch', provider: 'vastai' } as const;
    await expect(h.provisioner.provision(h.consumer, request)).rejects.toBeInstanceOf(UnavailableError);
    h.sims.vast.faults.set({});
    h.clock.advance(1_000); // asked again a second later, not five minutes
    const session = await h.provisioner.provision(h.consumer, request);
    await h.provisioner.settled();
    expect((await h.session(session.id)).providerInstanceId).not.toBeNull();
  });

  it('answers a retryable 503 naming the provider whose listing fails', async () => {
    h = await createLifecycleHarness();
    await h.inventory.search({});
    h.clock.advance(61_000);
    h.sims.vast.faults.set({ errors: { search: { status: 500 } } });

    const refused = h.provisioner.provision(h.consumer, { gpu: '4090', hours: 1, workload: 'batch', provider: 'vastai' });
    await expect(refused).rejects.toBeInstanceOf(UnavailableError);
    await expect(refused).rejects.toThrow(/offers could not be fetched from vastai/);
  });
});

// Several replicas: a lifecycle manager leaves a session another replica holds alone, and takes it
// over once that replica's lease has expired (it died). Both dialects, injected clock.
import { afterEach, describe, expect, it } from 'vitest';
import { MS_PER_SECOND } from '@gpu-shopper/domain';
import { AlertService } from '../alerts/alert-service';
import { SessionLeases } from '../coordination/session-leases';
import { createLifecycleHarness, type LifecycleHarness } from '../test-support/lifecycle-harness';
import { LifecycleManager } from './lifecycle-manager';

const LEASE_MS = 60 * MS_PER_SECOND;

describe('lifecycle across replicas', () => {
  let h: LifecycleHarness;
  afterEach(() => h?.close());

  it('leaves a session held by a live replica to it, and takes it over once that replica’s lease expires', async () => {
    h = await createLifecycleHarness();
    const id = await h.provisionReady();
    const instanceId = (await h.session(id)).providerInstanceId!;
    const replica = (owner: string) => {
      const leases = new SessionLeases({ orm: h.orm, clock: h.clock, owner, ttlMs: LEASE_MS });
      const lifecycle = new LifecycleManager({ orm: h.orm, clock: h.clock, providers: h.registry, alerts: new AlertService(h.clock, h.webhooks, { warn: () => {} }), webhooks: h.webhooks, deploymentId: 'test', leases });
      return { leases, lifecycle };
    };
    const a = replica('replica-a');
    const b = replica('replica-b');
    expect((await b.leases.claim([id])).ids.has(id)).toBe(true); // B is working on it, then dies

    h.sims.vast.lifecycle.vanish(instanceId);
    h.sims.tensordock.lifecycle.vanish(instanceId);
    h.clock.advance(10 * MS_PER_SECOND);
    await a.lifecycle.syncWithProviders();
    expect((await h.session(id)).state).toBe('ready'); // B's, until its lease runs out

    h.clock.advance(LEASE_MS);
    await a.lifecycle.syncWithProviders();
    const ended = await h.session(id);
    expect(ended.endReason).toBe('lost');
    expect(['stopping', 'terminated']).toContain(ended.state);
    expect(h.webhooks.named('session.lost').map((event) => event.payload.sessionId)).toEqual([id]);
    // A released what it took: the session is free again for whoever works on it next.
    expect(ended.lockOwner ?? null).toBeNull();
  });

  it('runs deadline jobs only on sessions it can claim', async () => {
    h = await createLifecycleHarness();
    const id = await h.provisionReady('batch', 1);
    const leasesB = new SessionLeases({ orm: h.orm, clock: h.clock, owner: 'replica-b', ttlMs: 4 * 3_600_000 });
    await leasesB.claim([id]);
    const a = new LifecycleManager({ orm: h.orm, clock: h.clock, providers: h.registry, alerts: new AlertService(h.clock, h.webhooks, { warn: () => {} }), webhooks: h.webhooks, deploymentId: 'test', leases: new SessionLeases({ orm: h.orm, clock: h.clock, owner: 'replica-a', ttlMs: LEASE_MS }) });
    h.clock.advance(3 * 3_600_000); // past the hard maximum
    await a.runDeadlines();
    expect((await h.session(id)).state).toBe('ready');
    await leasesB.releaseAll(); // B shut down gracefully
    await a.runDeadlines();
    expect((await h.session(id)).state).not.toBe('ready');
  });
});

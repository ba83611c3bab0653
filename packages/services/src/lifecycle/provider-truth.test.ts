// The provider is the truth: an instance that the provider (or its host, or a person) ends behind
// our back ends its session as `lost` within two ticks, with an alert and a webhook, and its cost
// stops when the provider stopped billing; a listing that fails ends nothing. Both simulators, an
// injected clock, ticks every 10 simulated seconds.
import { afterEach, describe, expect, it } from 'vitest';
import { MS_PER_HOUR, MS_PER_MINUTE, MS_PER_SECOND, usdToMicros } from '@gpu-shopper/domain';
import { AlertEntity, CostEntryEntity, ProvisionAttemptEntity, UsageEventEntity } from '@gpu-shopper/db';
import { LedgerService } from '../costs/ledger';
import { createLifecycleHarness, type LifecycleHarness } from '../test-support/lifecycle-harness';

const TICK_MS = 10 * MS_PER_SECOND;
const PROVIDERS = ['vastai', 'tensordock'] as const;

describe('provider truth', () => {
  let h: LifecycleHarness;
  afterEach(() => h?.close());

  const simOf = (provider: 'vastai' | 'tensordock') => (provider === 'vastai' ? h.sims.vast : h.sims.tensordock);
  const ledgerMicros = async (sessionId: string) => {
    await new LedgerService().accrue(h.orm.em.fork(), h.clock.now());
    const entries = await h.orm.em.fork().find(CostEntryEntity, { sessionId });
    return entries.reduce((sum, entry) => sum + entry.costMicros, 0);
  };
  const billedMicros = (provider: 'vastai' | 'tensordock', instanceId: string) => usdToMicros(simOf(provider).billing().find((row) => row.instanceId === instanceId)?.totalUsd ?? 0);
  /** A ready session that has run for a while, observed every tick. */
  const runningSession = async (provider: 'vastai' | 'tensordock') => {
    const id = await h.provision({ provider });
    for (let elapsed = 0; elapsed < 3 * MS_PER_MINUTE; elapsed += TICK_MS) await h.advance(TICK_MS);
    await h.heartbeat(id);
    await h.advance(TICK_MS);
    expect((await h.session(id)).state).toBe('ready');
    for (let elapsed = 0; elapsed < 20 * MS_PER_MINUTE; elapsed += TICK_MS) await h.advance(TICK_MS);
    return { id, instanceId: (await h.session(id)).providerInstanceId! };
  };

  for (const provider of PROVIDERS) {
    describe(provider, () => {
      it('ends a session whose instance vanished within two ticks, as lost, and stops its cost at the provider’s end', async () => {
        h = await createLifecycleHarness();
        const { id, instanceId } = await runningSession(provider);
        h.clock.advance(4 * MS_PER_SECOND); // between two of our looks
        expect(simOf(provider).lifecycle.vanish(instanceId)).toBe(true);
        await h.advance(TICK_MS - 4 * MS_PER_SECOND);
        await h.advance(TICK_MS);
        const ended = await h.session(id);
        expect(['stopping', 'terminated']).toContain(ended.state);
        expect(ended.endReason).toBe('lost');
        const alerts = await h.orm.em.fork().find(AlertEntity, { kind: 'instance_lost', sessionId: id });
        expect(alerts).toHaveLength(1);
        expect(h.webhooks.named('session.lost').map((event) => event.payload.sessionId)).toEqual([id]);
        for (let i = 0; i < 3; i += 1) await h.advance(TICK_MS);
        expect((await h.session(id)).state).toBe('terminated');
        // Billing stopped at the vanishing; our meters stopped halfway between two looks around it.
        const billed = billedMicros(provider, instanceId);
        const ours = await ledgerMicros(id);
        expect(Math.abs(ours - billed) / billed).toBeLessThan(0.01);
        await h.advance(MS_PER_HOUR);
        expect(await ledgerMicros(id)).toBe(ours); // nothing more is charged
      });

      it('ends a session whose container exited, with the provider’s message, and destroys the instance', async () => {
        h = await createLifecycleHarness();
        const { id, instanceId } = await runningSession(provider);
        expect(simOf(provider).lifecycle.fail(instanceId, 'agent: EADDRINUSE 127.0.0.1:8787')).toBe(true);
        await h.advance(TICK_MS);
        const ended = await h.session(id);
        expect(ended.endReason).toBe('lost');
        // Vast says why in status_msg; TensorDock reports only a status.
        expect(ended.failureReason).toMatch(provider === 'vastai' ? /exited: agent: EADDRINUSE/ : /exited/);
        for (let i = 0; i < 6; i += 1) await h.advance(TICK_MS);
        expect((await h.session(id)).state).toBe('terminated');
        expect(simOf(provider).lifecycle.live().map((instance) => instance.id)).not.toContain(instanceId);
        const billed = billedMicros(provider, instanceId);
        expect(Math.abs((await ledgerMicros(id)) - billed) / billed).toBeLessThan(0.01);
      });

      it('changes nothing while the provider cannot be listed, and alerts after three failed listings', async () => {
        h = await createLifecycleHarness();
        const { id, instanceId } = await runningSession(provider);
        simOf(provider).faults.set({ errors: { '*': { status: 503 } } });
        for (let i = 0; i < 2; i += 1) await h.advance(TICK_MS);
        expect(await h.orm.em.fork().count(AlertEntity, { kind: 'listing_failed' })).toBe(0);
        for (let i = 0; i < 8; i += 1) await h.advance(TICK_MS);
        expect((await h.session(id)).state).toBe('ready');
        expect(simOf(provider).lifecycle.get(instanceId)?.phase).toBe('running');
        const alerts = await h.orm.em.fork().find(AlertEntity, { kind: 'listing_failed' });
        expect(alerts.map((alert) => alert.provider)).toEqual([provider]); // once per outage
        simOf(provider).faults.clear();
        await h.advance(TICK_MS);
        expect((await h.session(id)).state).toBe('ready');
      });
    });
  }

  it('ends a TensorDock session lost while the Vast listing is still being fetched: each provider is synced on its own', async () => {
    h = await createLifecycleHarness({}, { providerTimeoutMs: 5_000 });
    const vast = await runningSession('vastai');
    const tensordock = await runningSession('tensordock');
    h.sims.vast.faults.set({ latencyMs: { list: 1_500 } }); // Vast answers its listing late (429 back-offs do the same)
    let vastSynced = false;
    const vastSync = h.lifecycle.syncWithProviders('vastai').then(() => void (vastSynced = true));
    expect(h.sims.tensordock.lifecycle.vanish(tensordock.instanceId)).toBe(true);
    await h.lifecycle.syncWithProviders('tensordock');
    expect(vastSynced).toBe(false); // the Vast listing has not come back yet
    const lost = await h.session(tensordock.id);
    expect(lost.endReason).toBe('lost');
    expect(h.webhooks.named('session.lost').map((event) => event.payload.sessionId)).toEqual([tensordock.id]);
    await vastSync;
    expect((await h.session(vast.id)).state).toBe('ready');
  });

  it('stops the cost of an instance ended unasked at its node’s announced shutdown, however late the provider shows it gone', async () => {
    h = await createLifecycleHarness();
    const { id, instanceId } = await runningSession('tensordock');
    h.clock.advance(3 * MS_PER_SECOND);
    await h.heartbeat(id, false, true); // the host stops the node: its agent says so on the way down
    expect(h.sims.tensordock.lifecycle.vanish(instanceId)).toBe(true);
    // Two minutes in which the provider cannot be listed: halfway across them would be a minute late.
    h.sims.tensordock.faults.set({ errors: { list: { status: 503 } } });
    for (let elapsed = 0; elapsed < 2 * MS_PER_MINUTE; elapsed += TICK_MS) await h.advance(TICK_MS);
    expect((await h.session(id)).state).toBe('ready');
    h.sims.tensordock.faults.set({});
    await h.advance(TICK_MS);
    expect((await h.session(id)).endReason).toBe('lost');
    // Within 1% (the start is dated within half a tick); a minute late would be some 4% over.
    const billed = billedMicros('tensordock', instanceId);
    expect(Math.abs((await ledgerMicros(id)) - billed) / billed).toBeLessThan(0.01);
  });

  it('ends a session whose instance was stopped without us asking, and destroys it', async () => {
    h = await createLifecycleHarness();
    const { id, instanceId } = await runningSession('vastai');
    expect(h.sims.vast.lifecycle.stop(instanceId)).toBe(true);
    for (let i = 0; i < 4; i += 1) await h.advance(TICK_MS);
    const ended = await h.session(id);
    expect(ended.endReason).toBe('lost');
    expect(ended.failureReason).toMatch(/was stopped, without us asking/);
    for (let i = 0; i < 6; i += 1) await h.advance(TICK_MS);
    expect((await h.session(id)).state).toBe('terminated');
    expect(['exiting', 'destroyed']).toContain(h.sims.vast.lifecycle.get(instanceId)?.phase);
  });

  it('fails over to another offer when the instance vanishes while it boots', async () => {
    h = await createLifecycleHarness();
    const id = await h.provision({ provider: 'tensordock' });
    const first = (await h.session(id)).providerInstanceId!;
    await h.advance(TICK_MS);
    h.sims.tensordock.lifecycle.vanish(first);
    await h.advance(TICK_MS);
    await h.provisioner.settled();
    const next = await h.session(id);
    expect(next).toMatchObject({ state: 'provisioning', provisionAttempts: 2 });
    expect(next.providerInstanceId).not.toBe(first);
    for (let elapsed = 0; elapsed < 3 * MS_PER_MINUTE; elapsed += TICK_MS) await h.advance(TICK_MS);
    await h.heartbeat(id);
    await h.advance(TICK_MS);
    expect((await h.session(id)).state).toBe('ready');
  });

  it('fails an attempt within a tick when the node’s agent dies at boot, logs its error, and fails over', async () => {
    h = await createLifecycleHarness();
    const id = await h.provision({ provider: 'vastai' });
    const first = (await h.session(id)).providerInstanceId!;
    await h.advance(TICK_MS);
    expect(h.sims.vast.lifecycle.fail(first, 'agent: listen EADDRINUSE: address already in use 127.0.0.1:20417')).toBe(true);
    await h.advance(TICK_MS);
    await h.provisioner.settled();
    const next = await h.session(id);
    expect(next).toMatchObject({ state: 'provisioning', provisionAttempts: 2 });
    const [attempt] = await h.orm.em.fork().find(ProvisionAttemptEntity, { sessionId: id, instanceId: first });
    expect(attempt).toMatchObject({ outcome: 'failed' });
    expect(attempt!.error).toMatch(/EADDRINUSE/);
    expect(h.logs.some((line) => line.includes(first) && line.includes('EADDRINUSE'))).toBe(true);
  });

  it('charges the session for an instance a failed create made, found by its label, and destroys it', async () => {
    h = await createLifecycleHarness();
    h.sims.tensordock.faults.set({ createErrorsButCreates: { count: 1, status: 500, includeInstanceId: false } });
    const id = await h.provision({ provider: 'tensordock' });
    const owned = (await h.session(id)).providerInstanceId!;
    const stray = h.sims.tensordock.lifecycle.live().find((instance) => instance.id !== owned)!;
    expect(stray).toBeDefined();
    await h.advance(TICK_MS);
    const attempts = await h.orm.em.fork().find(ProvisionAttemptEntity, { sessionId: id }, { orderBy: { attempt: 'asc' } });
    expect(attempts.map((attempt) => [attempt.outcome, attempt.instanceId])).toEqual([['failed', stray.id], ['created', owned]]);
    expect(['exiting', 'destroyed']).toContain(h.sims.tensordock.lifecycle.get(stray.id)?.phase);
    const events = await h.orm.em.fork().find(UsageEventEntity, { sessionId: id, instanceId: stray.id });
    expect(events.map((event) => event.kind)).toContain('storage_stopped');
  });
});

// Teardown dates the end of compute at the destroy attempt that got through: the adapter retries
// through 429s (its waits move the injected clock here), and a round the provider refused outright
// is not taken for the end. Compared with the simulators' own billing ledger.
import { afterEach, describe, expect, it } from 'vitest';
import { MS_PER_MINUTE, MS_PER_SECOND } from '@gpu-shopper/domain';
import { UsageEventEntity } from '@gpu-shopper/db';
import { SessionService } from '../sessions/session-service';
import { createLifecycleHarness, type LifecycleHarness } from '../test-support/lifecycle-harness';
import { HeartbeatService } from './heartbeat-service';

const TICK_MS = 10 * MS_PER_SECOND;

describe('teardown dates compute’s end at the destroy that took effect', () => {
  let h: LifecycleHarness;
  afterEach(() => h?.close());

  const simOf = (provider: 'vastai' | 'tensordock') => (provider === 'vastai' ? h.sims.vast : h.sims.tensordock);

  /** A ready session, then `done` and the agent's final heartbeat: the next tick destroys. */
  const doneSession = async (provider: 'vastai' | 'tensordock') => {
    const id = await h.provision({ provider });
    for (let elapsed = 0; elapsed < 3 * MS_PER_MINUTE; elapsed += TICK_MS) await h.advance(TICK_MS);
    await h.heartbeat(id);
    await h.advance(TICK_MS);
    for (let elapsed = 0; elapsed < 5 * MS_PER_MINUTE; elapsed += TICK_MS) await h.advance(TICK_MS);
    await new SessionService(h.orm.em.fork(), h.clock).done(h.consumer, id);
    const row = await h.session(id);
    await new HeartbeatService(h.orm.em.fork(), h.clock, h.webhooks).receive(id, h.secrets.open(row.nodeTokenEncrypted!), {
      sentAt: h.clock.now().toISOString(),
      status: { ready: false, runningJobs: 0, maxGpuUtilizationPercent: 0 },
      idle: { idle: true, idleSince: null, reason: 'shut down' },
      final: true,
    });
    return { id, instanceId: row.providerInstanceId! };
  };

  const untilTerminated = async (id: string) => {
    for (let i = 0; i < 30 && (await h.session(id)).state !== 'terminated'; i += 1) await h.advance(TICK_MS);
    expect((await h.session(id)).state).toBe('terminated');
  };

  /** Where our compute meter stopped, and where the provider's did. */
  const computeEnds = async (provider: 'vastai' | 'tensordock', id: string, instanceId: string) => {
    const stopped = await h.orm.em.fork().findOneOrFail(UsageEventEntity, { sessionId: id, instanceId, kind: 'compute_stopped' });
    const billedTo = Math.max(...simOf(provider).lifecycle.get(instanceId)!.ledger.segments.filter((segment) => segment.kind === 'compute').map((segment) => segment.toMs));
    return { oursMs: stopped.at.getTime(), billedMs: billedTo };
  };

  for (const provider of ['vastai', 'tensordock'] as const) {
    it(`${provider}: a destroy retried through 429s ends compute at the attempt that got through`, async () => {
      h = await createLifecycleHarness({}, { retriesTakeTime: true });
      const { id, instanceId } = await doneSession(provider);
      simOf(provider).faults.set({ rateLimitStorm: { count: 3, endpoints: ['destroy'] } });
      const firstCallAt = h.clock.now().getTime() + TICK_MS;
      await untilTerminated(id);
      const { oursMs, billedMs } = await computeEnds(provider, id, instanceId);
      expect(billedMs - firstCallAt).toBeGreaterThan(MS_PER_SECOND); // the retries took a while
      expect(Math.abs(oursMs - billedMs)).toBeLessThan(MS_PER_SECOND);
    });

    it(`${provider}: a destroy refused on every attempt is not taken for the end; the next round's is`, async () => {
      h = await createLifecycleHarness();
      const { id, instanceId } = await doneSession(provider);
      simOf(provider).faults.set({ rateLimitStorm: { count: 4, endpoints: ['destroy'] } }); // the adapter's four attempts
      await h.advance(TICK_MS);
      expect((await h.session(id)).destroyRequestedAt).toBeNull();
      await untilTerminated(id);
      const { oursMs, billedMs } = await computeEnds(provider, id, instanceId);
      expect(Math.abs(oursMs - billedMs)).toBeLessThan(MS_PER_SECOND);
    });

    it(`${provider}: a destroy that hung and did nothing ends compute at the retry the provider answered`, async () => {
      h = await createLifecycleHarness({}, { retriesTakeTime: true, providerTimeoutMs: 200 });
      const { id, instanceId } = await doneSession(provider);
      simOf(provider).faults.set({ destroyTimesOut: { count: 1, destroys: false } });
      const firstCallAt = h.clock.now().getTime() + TICK_MS;
      await untilTerminated(id);
      const { oursMs, billedMs } = await computeEnds(provider, id, instanceId);
      expect(billedMs).toBeGreaterThan(firstCallAt); // the hung attempt did not stop the provider's meter
      expect(oursMs).toBe(billedMs);
    });

    it(`${provider}: a round whose every attempt hung is not taken for the end once the next round is answered`, async () => {
      h = await createLifecycleHarness({}, { providerTimeoutMs: 200 });
      const { id, instanceId } = await doneSession(provider);
      simOf(provider).faults.set({ destroyTimesOut: { count: 4, destroys: false } }); // the adapter's four attempts
      await h.advance(TICK_MS);
      const firstRound = (await h.session(id)).destroyRequestedAt;
      expect(firstRound).not.toBeNull(); // it may have worked: the earliest possible end, for now
      await untilTerminated(id);
      const { oursMs, billedMs } = await computeEnds(provider, id, instanceId);
      expect(billedMs).toBeGreaterThan(firstRound!.getTime());
      expect(oursMs).toBe(billedMs);
    });

    it(`${provider}: a destroy that finds the instance already gone is not taken for the end`, async () => {
      h = await createLifecycleHarness();
      const { id, instanceId } = await doneSession(provider); // the agent's final heartbeat: its last word
      const lastWordAt = h.clock.now().getTime();
      h.clock.advance(2 * MS_PER_SECOND);
      const vanishedAt = h.clock.now().getTime();
      expect(simOf(provider).lifecycle.vanish(instanceId)).toBe(true);
      simOf(provider).faults.set({ errors: { list: { status: 503 } } }); // only our destroy can find out
      await h.advance(TICK_MS);
      await untilTerminated(id);
      const { oursMs, billedMs } = await computeEnds(provider, id, instanceId);
      expect(billedMs).toBe(vanishedAt);
      // Halfway between the node’s last word and the destroy’s answer (10 s after the vanishing), not at the destroy.
      expect(oursMs).toBeGreaterThan(lastWordAt);
      expect(oursMs).toBeLessThanOrEqual(vanishedAt + 5 * MS_PER_SECOND);
    });
  }

  it('charges the compute of a node that came up after its session was ended while booting', async () => {
    h = await createLifecycleHarness();
    const id = await h.provision({ provider: 'tensordock' });
    await new SessionService(h.orm.em.fork(), h.clock).done(h.consumer, id); // cancelled while it boots
    for (let elapsed = 0; elapsed < 3 * MS_PER_MINUTE; elapsed += TICK_MS) h.clock.advance(TICK_MS); // nobody looked
    await h.heartbeat(id); // the node came up all the same
    await untilTerminated(id);
    const kinds = (await h.orm.em.fork().find(UsageEventEntity, { sessionId: id }, { orderBy: { id: 'asc' } })).map((event) => event.kind);
    expect(kinds).toEqual(['storage_started', 'compute_started', 'compute_stopped', 'storage_stopped']);
  });
});

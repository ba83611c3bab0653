// The lifecycle manager against both provider simulators, on an injected clock: reservations,
// grace, extensions and overrides, idle shutdown, heartbeat loss, deadlines, the provider sweep
// and crash recovery. Hours pass in milliseconds.
import { afterEach, describe, expect, it } from 'vitest';
import { MS_PER_HOUR, MS_PER_MINUTE, type ProviderName } from '@gpu-shopper/domain';
import { AlertEntity, ProvisionAttemptEntity, SessionEntity, UsageEventEntity } from '@gpu-shopper/db';
import { OverrideService } from '../overrides/override-service';
import { SessionService } from '../sessions/session-service';
import { insertSession } from '../sessions/session-records';
import { createLifecycleHarness, type LifecycleHarness } from '../test-support/lifecycle-harness';
import { ProviderListings, type Listing } from './provider-listings';

const operator = { role: 'admin', keyId: 'key_op', consumerId: null } as const;

describe('LifecycleManager', () => {
  let h: LifecycleHarness;
  afterEach(() => h?.close());

  const liveInstanceIds = (provider: 'vastai' | 'tensordock' = 'vastai') => (provider === 'vastai' ? h.sims.vast : h.sims.tensordock).lifecycle.live().map((instance) => instance.id);
  const finishTeardown = async () => {
    for (let i = 0; i < 5; i += 1) await h.advance(2 * MS_PER_MINUTE);
  };
  const usage = async (sessionId: string) => (await h.orm.em.fork().find(UsageEventEntity, { sessionId }, { orderBy: { id: 'asc' } })).map((event) => event.kind);

  describe('provisioning', () => {
    it('commits the session before the provider is called, then the instance id, and becomes ready on the agent’s hello', async () => {
      h = await createLifecycleHarness();
      const id = await h.provision({ provider: 'tensordock' });
      const booting = await h.session(id);
      expect(booting).toMatchObject({ state: 'provisioning', provider: 'tensordock', provisionAttempts: 1 });
      expect(liveInstanceIds('tensordock')).toEqual([booting.providerInstanceId]);
      expect(booting.label).toBe(`gpu-shopper:test:${id}`);
      await h.advance(3 * MS_PER_MINUTE);
      await h.heartbeat(id);
      expect((await h.session(id)).state).toBe('ready');
      expect(h.webhooks.named('session.ready')).toHaveLength(1);
      expect(await usage(id)).toEqual(['storage_started', 'compute_started']);
    });

    it('fails over when the chosen offer is rented out between search and create', async () => {
      h = await createLifecycleHarness();
      // The two cheapest 4090s on the menu are rented by someone else after the menu was read.
      const { offers } = await h.inventory.search({ gpu: '4090', provider: 'vastai', sort: 'price' });
      expect(offers.length).toBeGreaterThan(2);
      for (const offer of offers.slice(0, 2)) h.sims.vast.offers.find((candidate) => `vastai:${candidate.record.id}` === offer.id)!.rented = true;
      const id = await h.provision({ gpu: '4090', provider: 'vastai' });
      const attempts = await h.orm.em.fork().find(ProvisionAttemptEntity, { sessionId: id }, { orderBy: { attempt: 'asc' } });
      expect(attempts.map((a) => a.outcome)).toEqual(['offer_gone', 'offer_gone', 'created']);
      expect((await h.session(id)).providerInstanceId).toBe(attempts[2]!.instanceId);
    });

    it('destroys a node that is not ready by its deadline and fails over to the next offer', async () => {
      h = await createLifecycleHarness();
      h.sims.vast.faults.set({ stuckLoading: { count: 1 } });
      const id = await h.provision({ provider: 'vastai' });
      const instanceId = (await h.session(id)).providerInstanceId!;
      await h.advance(14 * MS_PER_MINUTE);
      expect((await h.session(id)).state).toBe('provisioning');
      await h.advance(2 * MS_PER_MINUTE);
      await h.provisioner.settled();
      const next = await h.session(id);
      expect(next).toMatchObject({ state: 'provisioning', provisionAttempts: 2 });
      expect(next.providerInstanceId).not.toBe(instanceId);
      expect(['exiting', 'destroyed']).toContain(h.sims.vast.lifecycle.get(instanceId)?.phase);
      const attempts = await h.orm.em.fork().find(ProvisionAttemptEntity, { sessionId: id }, { orderBy: { attempt: 'asc' } });
      expect(attempts.map((a) => [a.outcome, a.instanceId])).toEqual([['deadline', instanceId], ['created', next.providerInstanceId]]);
      expect(attempts[0]!.error).toMatch(/not ready by/);
      await h.advance(3 * MS_PER_MINUTE);
      await h.heartbeat(id);
      expect((await h.session(id)).state).toBe('ready');
    });

    it('keeps trying to destroy the node a deadline failover left behind through an outage longer than the adapter retries', async () => {
      const waits: number[] = [];
      h = await createLifecycleHarness({}, { sleep: async (ms) => void waits.push(ms) });
      h.sims.vast.faults.set({ stuckLoading: { count: 1 } });
      const id = await h.provision({ provider: 'vastai' });
      const instanceId = (await h.session(id)).providerInstanceId!;
      await h.advance(14 * MS_PER_MINUTE);
      // More 429s than one destroy call's own retries: the first call fails, a later one gets through.
      h.sims.vast.faults.set({ rateLimitStorm: { count: 6, endpoints: ['destroy'] } });
      await h.advance(2 * MS_PER_MINUTE);
      await h.provisioner.settled();
      await h.provisioner.abandonedDestroysSettled();
      expect((await h.session(id)).provisionAttempts).toBe(2);
      expect(waits.length).toBeGreaterThan(0);
      expect(['exiting', 'destroyed']).toContain(h.sims.vast.lifecycle.get(instanceId)?.phase);
    });

    it('fails the session when no attempt is left after the deadline', async () => {
      h = await createLifecycleHarness({}, { maxAttempts: 1 });
      h.sims.vast.faults.set({ stuckLoading: { count: 1 } });
      const id = await h.provision({ provider: 'vastai' });
      const instanceId = (await h.session(id)).providerInstanceId!;
      await h.advance(16 * MS_PER_MINUTE);
      await finishTeardown();
      expect(await h.session(id)).toMatchObject({ state: 'failed', endReason: 'provision_failed' });
      expect(liveInstanceIds()).not.toContain(instanceId);
      expect(h.webhooks.named('session.failed')).toHaveLength(1);
    });
  });

  describe('reservations', () => {
    it('shuts an idle node down at the end of its reservation', async () => {
      h = await createLifecycleHarness({ idleAction: { llm: 'alert', training: 'alert', batch: 'alert' } });
      const id = await h.provisionReady('batch', 2);
      await h.advance(105 * MS_PER_MINUTE);
      expect(h.webhooks.named('reservation.expiring')).toHaveLength(1);
      await h.heartbeat(id, true);
      await h.advance(25 * MS_PER_MINUTE);
      expect(await h.session(id)).toMatchObject({ state: 'stopping', endReason: 'expired' });
      await finishTeardown();
      expect((await h.session(id)).state).toBe('terminated');
      expect(liveInstanceIds()).toEqual([]);
      expect(await usage(id)).toEqual(['storage_started', 'compute_started', 'compute_stopped', 'storage_stopped']);
    });

    it('gives a busy node a grace period, then shuts it down without an extension', async () => {
      h = await createLifecycleHarness();
      const id = await h.provisionReady('training', 1);
      await h.advance(55 * MS_PER_MINUTE);
      await h.heartbeat(id, false);
      await h.advance(3 * MS_PER_MINUTE);
      const inGrace = await h.session(id);
      expect(inGrace.state).toBe('ready');
      expect(inGrace.graceEndsAt?.toISOString()).toBe(new Date(h.clock.now().getTime() + 15 * MS_PER_MINUTE).toISOString());
      expect(h.webhooks.named('reservation.expired')).toHaveLength(1);
      await h.heartbeat(id, false);
      await h.advance(16 * MS_PER_MINUTE);
      expect(await h.session(id)).toMatchObject({ state: 'stopping', endReason: 'expired' });
    });

    it('keeps a busy node that is extended during its grace', async () => {
      h = await createLifecycleHarness();
      const id = await h.provisionReady('training', 1);
      await h.advance(55 * MS_PER_MINUTE);
      await h.heartbeat(id, false);
      await h.advance(3 * MS_PER_MINUTE);
      expect((await h.session(id)).graceEndsAt).not.toBeNull();
      await new SessionService(h.orm.em.fork(), h.clock).extend(h.consumer, id, 2);
      const answer = await h.heartbeat(id, false);
      expect(answer).toMatchObject({ shutdown: false, reservationEndsAt: new Date(Date.parse('2026-04-01T08:00:00Z') + 3 * MS_PER_HOUR).toISOString() });
      await h.advance(20 * MS_PER_MINUTE);
      expect(await h.session(id)).toMatchObject({ state: 'ready', graceEndsAt: null });
    });

    it('never goes past the hard maximum: a busy 12-hour node ends at 12 h, grace or not', async () => {
      h = await createLifecycleHarness();
      const id = await h.provisionReady('training', 12);
      for (let hour = 0; hour < 11; hour += 1) {
        await h.heartbeat(id, false);
        await h.advance(MS_PER_HOUR);
      }
      await h.heartbeat(id, false);
      await h.advance(50 * MS_PER_MINUTE);
      await h.heartbeat(id, false);
      const row = await h.session(id);
      expect(row.state).toBe('ready');
      const hardMax = row.hardMaxEndsAt.getTime();
      expect(hardMax - row.reservationStartsAt.getTime()).toBe(12 * MS_PER_HOUR);
      await h.advance(hardMax - h.clock.now().getTime());
      const ended = await h.session(id);
      expect(ended).toMatchObject({ state: 'stopping', endReason: 'expired' });
      expect(ended.graceEndsAt === null || ended.graceEndsAt === undefined || ended.graceEndsAt.getTime() <= hardMax).toBe(true);
    });

    it('holds an extension past 12 h until an operator approves it, then moves the hard maximum', async () => {
      h = await createLifecycleHarness();
      const id = await h.provisionReady('training', 11);
      const detail = await new SessionService(h.orm.em.fork(), h.clock, null, h.webhooks).extend(h.consumer, id, 3);
      const request = detail.overrideRequests[0]!;
      expect(request.status).toBe('pending');
      expect(detail.reservation.hours).toBe(11);
      expect(h.webhooks.named('override.requested')).toHaveLength(1);
      await new OverrideService(h.orm.em.fork(), h.clock, h.webhooks).decide(operator, request.id, true);
      const row = await h.session(id);
      expect(row.reservationEndsAt.getTime() - row.reservationStartsAt.getTime()).toBe(14 * MS_PER_HOUR);
      expect(row.hardMaxEndsAt.getTime()).toBe(row.reservationEndsAt.getTime());
      for (let hour = 0; hour < 13; hour += 1) {
        await h.heartbeat(id, false);
        await h.advance(MS_PER_HOUR);
      }
      expect((await h.session(id)).state).toBe('ready');
      await h.advance(MS_PER_HOUR);
      expect((await h.session(id)).state).toBe('stopping');
    });
  });

  it('gives no grace to a node whose agent went quiet before the end', async () => {
    h = await createLifecycleHarness();
    const id = await h.provisionReady('training', 1);
    await h.heartbeat(id, false); // its last word: busy
    await h.advance(61 * MS_PER_MINUTE);
    expect(await h.session(id)).toMatchObject({ state: 'stopping', endReason: 'expired', graceEndsAt: null });
  });

  it('is not ready while the agent says it is not (an LLM engine still loading)', async () => {
    h = await createLifecycleHarness();
    const id = await h.provision({ workload: 'llm', llmModel: 'tiny' });
    await h.advance(3 * MS_PER_MINUTE);
    const row = await h.session(id);
    const token = h.secrets.open(row.nodeTokenEncrypted!);
    const { HeartbeatService } = await import('./heartbeat-service');
    const loading = { sentAt: h.clock.now().toISOString(), status: { ready: false, runningJobs: 0, maxGpuUtilizationPercent: 0 }, idle: { idle: false, idleSince: null, reason: 'loading' }, final: false };
    await new HeartbeatService(h.orm.em.fork(), h.clock, h.webhooks).receive(id, token, loading);
    await h.advance(MS_PER_MINUTE);
    expect((await h.session(id)).state).toBe('provisioning');
    await h.heartbeat(id);
    expect((await h.session(id)).state).toBe('ready');
  });

  describe('idle nodes and heartbeats', () => {
    it('acts on idle nodes per workload: shut down batch, alert for llm', async () => {
      h = await createLifecycleHarness({ idleAction: { batch: 'shutdown', llm: 'alert', training: 'shutdown' } });
      const batch = await h.provisionReady('batch', 4);
      const llm = await h.provisionReady('llm', 4);
      await h.heartbeat(batch, true);
      await h.heartbeat(llm, true);
      await h.advance(MS_PER_MINUTE);
      await h.advance(MS_PER_MINUTE);
      expect(await h.session(batch)).toMatchObject({ state: 'stopping', endReason: 'idle' });
      expect((await h.session(llm)).state).toBe('ready');
      const alerts = await h.orm.em.fork().find(AlertEntity, { kind: 'idle' });
      expect(alerts.map((alert) => alert.sessionId)).toEqual([llm]);
    });

    it('alerts once when a ready node stops sending heartbeats', async () => {
      h = await createLifecycleHarness();
      const id = await h.provisionReady('batch', 4);
      await h.advance(4 * MS_PER_MINUTE);
      expect(h.webhooks.named('heartbeat.lost')).toHaveLength(0);
      await h.advance(2 * MS_PER_MINUTE);
      await h.advance(2 * MS_PER_MINUTE);
      expect(h.webhooks.named('heartbeat.lost')).toHaveLength(1);
      expect((await h.orm.em.fork().find(AlertEntity, { kind: 'heartbeat_lost' })).map((a) => a.sessionId)).toEqual([id]);
      await h.heartbeat(id);
      await h.advance(6 * MS_PER_MINUTE);
      expect(h.webhooks.named('heartbeat.lost')).toHaveLength(2); // a new silence, a new alert
    });
  });

  describe('teardown', () => {
    it('retries a rate-limited, timing-out destroy until the provider confirms the instance is gone', async () => {
      h = await createLifecycleHarness();
      const id = await h.provisionReady('batch', 2);
      const instanceId = (await h.session(id)).providerInstanceId!;
      h.sims.vast.faults.set({ rateLimitStorm: { count: 40, endpoints: ['destroy'] }, destroyTimesOut: { count: 2, destroys: false } });
      await new SessionService(h.orm.em.fork(), h.clock).forceShutdown(h.consumer, id);
      for (let i = 0; i < 6; i += 1) await h.advance(MS_PER_MINUTE);
      const stuck = await h.session(id);
      expect(stuck.state).toBe('stopping');
      expect(stuck.teardownAttempts).toBeGreaterThan(0);
      expect(liveInstanceIds()).toContain(instanceId);
      h.sims.vast.faults.clear();
      for (let i = 0; i < 8; i += 1) await h.advance(5 * MS_PER_MINUTE);
      expect(await h.session(id)).toMatchObject({ state: 'terminated', endReason: 'forced' });
      expect(liveInstanceIds()).not.toContain(instanceId);
    });

    it('waits for a live agent to wind down, and goes at once after its final heartbeat', async () => {
      h = await createLifecycleHarness();
      const id = await h.provisionReady('batch', 2);
      await new SessionService(h.orm.em.fork(), h.clock).done(h.consumer, id);
      expect((await h.heartbeat(id)).shutdown).toBe(true);
      await h.advance(10_000);
      const waiting = await h.session(id);
      expect(waiting).toMatchObject({ state: 'stopping', teardownAttempts: 0 }); // inside the graceful wait: not touched yet
      expect(h.sims.vast.lifecycle.get(waiting.providerInstanceId!)?.phase).toBe('running');
      const row = await h.session(id);
      const { HeartbeatService } = await import('./heartbeat-service');
      await new HeartbeatService(h.orm.em.fork(), h.clock, h.webhooks).receive(id, h.secrets.open(row.nodeTokenEncrypted!), {
        sentAt: h.clock.now().toISOString(),
        status: { ready: false, runningJobs: 0, maxGpuUtilizationPercent: 0 },
        idle: { idle: true, idleSince: null, reason: 'shut down' },
        final: true,
      });
      await h.advance(1_000);
      expect(['exiting', 'destroyed']).toContain(h.sims.vast.lifecycle.get(row.providerInstanceId!)?.phase); // destroyed without waiting out the grace
      await finishTeardown();
      expect((await h.session(id)).state).toBe('terminated');
    });

    it('stops the instance and keeps its disk for storage=preserve, then destroys it later', async () => {
      h = await createLifecycleHarness();
      const id = await h.provisionReady('batch', 2);
      await new SessionService(h.orm.em.fork(), h.clock).done(h.consumer, id, 'preserve');
      await finishTeardown();
      expect((await h.session(id)).state).toBe('stopped');
      expect(h.sims.vast.lifecycle.live().map((i) => i.phase)).toEqual(['stopped']);
      await new SessionService(h.orm.em.fork(), h.clock).forceShutdown(h.consumer, id);
      await finishTeardown();
      expect((await h.session(id)).state).toBe('terminated');
      expect(liveInstanceIds()).toEqual([]);
      expect(await usage(id)).toEqual(['storage_started', 'compute_started', 'compute_stopped', 'storage_stopped']);
    });
  });

  describe('orphans and recovery', () => {
    it('destroys labelled instances no live session owns, and never touches foreign ones', async () => {
      h = await createLifecycleHarness();
      const adapter = h.registry.get('vastai');
      const [offer] = (await adapter.searchOffers({ diskGb: 50, gpu: '4090' })).slice(0, 1);
      const spec = { image: 'x', diskGb: 50, env: {}, ports: [22], bootstrapScript: 'true', sshPublicKey: null };
      const ours = await adapter.createInstance(offer!, { ...spec, label: 'gpu-shopper:test:ses_ghost' });
      const [offer2] = (await adapter.searchOffers({ diskGb: 50, gpu: '4090' })).slice(0, 1);
      const foreign = await adapter.createInstance(offer2!, { ...spec, label: 'someone-else' });
      const [offer3] = (await adapter.searchOffers({ diskGb: 50, gpu: '4090' })).slice(0, 1);
      const otherDeployment = await adapter.createInstance(offer3!, { ...spec, label: 'gpu-shopper:prod:ses_x' });
      const reports = await h.lifecycle.sweepProviders();
      expect(reports.find((r) => r.provider === 'vastai')?.orphansDestroyed).toEqual([ours.instanceId]);
      const phase = (instanceId: string) => h.sims.vast.lifecycle.get(instanceId)?.phase;
      expect(['exiting', 'destroyed']).toContain(phase(ours.instanceId));
      expect(['exiting', 'destroyed']).not.toContain(phase(foreign.instanceId));
      expect(['exiting', 'destroyed']).not.toContain(phase(otherDeployment.instanceId));
      expect(h.webhooks.named('orphan.detected')).toHaveLength(1);
    });

    it('does not take a session’s own instance, destroyed since the listing the sweep reads was taken, for an orphan', async () => {
      h = await createLifecycleHarness();
      const id = await h.provisionReady('batch', 2);
      const observedAt = h.clock.now();
      const listed = await Promise.all(h.registry.all().map(async (adapter): Promise<[ProviderName, Listing]> => [adapter.name, { kind: 'listed', instances: await adapter.listInstances(), observedAt, answeredAt: observedAt }]));
      const stale = new ProviderListings(new Map(listed), h.registry);
      await new SessionService(h.orm.em.fork(), h.clock).done(h.consumer, id);
      await finishTeardown();
      expect((await h.session(id)).state).toBe('terminated');
      const meters = async () => (await h.orm.em.fork().find(UsageEventEntity, { sessionId: id }, { orderBy: { id: 'asc' } })).map((event) => [event.kind, event.at.toISOString()]);
      const before = await meters();
      const alerts = (await h.orm.em.fork().find(AlertEntity, { kind: 'orphan' })).length;

      const reports = await h.lifecycle.sweepProviders(stale); // still lists the instance, alive
      expect(reports.flatMap((report) => report.orphansDestroyed)).toEqual([]);
      expect(await h.orm.em.fork().find(AlertEntity, { kind: 'orphan' })).toHaveLength(alerts);
      expect(await meters()).toEqual(before); // its cost still ends where its destroy did
    });

    it('treats a session found live well past its reservation (the server was down) as an orphan: alert and end it', async () => {
      h = await createLifecycleHarness();
      const id = await h.provisionReady('batch', 1);
      h.clock.advance(13 * MS_PER_HOUR); // no ticks meanwhile: the server was down
      await h.lifecycle.enforceReservations();
      expect(await h.session(id)).toMatchObject({ state: 'stopping', endReason: 'orphan' });
      expect((await h.orm.em.fork().find(AlertEntity, { kind: 'orphan' })).map((alert) => alert.sessionId)).toEqual([id]);
      expect(h.webhooks.named('orphan.detected')).toHaveLength(1);
    });

    it('raises an alert and changes nothing when a listing comes back in an unexpected shape', async () => {
      h = await createLifecycleHarness({ listingFailureAlertAfter: 1 });
      const id = await h.provisionReady('batch', 2);
      h.sims.tensordock.faults.set({ listingUnexpectedShape: { count: 5 } });
      const reports = await h.lifecycle.sweepProviders();
      expect(reports.find((r) => r.provider === 'tensordock')?.error).toBeTruthy();
      expect((await h.orm.em.fork().find(AlertEntity, { kind: 'listing_failed' })).map((a) => a.provider)).toEqual(['tensordock']);
      expect((await h.session(id)).state).toBe('ready');
      expect(liveInstanceIds()).toHaveLength(1);
    });

    it('recovers a session left in provisioning without an instance id by finding its instance by label', async () => {
      h = await createLifecycleHarness();
      const em = h.orm.em.fork();
      const row = insertSession(em, h.clock, { consumerId: 'con_atlas', workload: 'batch', reservationHours: 2, deploymentId: 'test', actor: 'test' });
      await em.flush();
      const adapter = h.registry.get('vastai');
      const [offer] = await adapter.searchOffers({ diskGb: 50, gpu: '4090' });
      const instance = await adapter.createInstance(offer!, { image: 'x', diskGb: 50, env: {}, ports: [22], bootstrapScript: 'true', sshPublicKey: null, label: row.label });
      const interrupted = insertSession(em, h.clock, { consumerId: 'con_atlas', workload: 'batch', reservationHours: 2, deploymentId: 'test', actor: 'test' });
      interrupted.provisionRequest = { gpu: '4090' };
      await em.flush();
      await h.lifecycle.recover();
      expect(await h.session(row.id)).toMatchObject({ state: 'provisioning', provider: 'vastai', providerInstanceId: instance.instanceId });
      // No instance was ever made for the other one: it carries on renting instead of failing.
      await h.provisioner.settled();
      const resumed = await h.session(interrupted.id);
      expect(resumed.failureReason).toBeNull();
      expect(resumed).toMatchObject({ state: 'provisioning', provisionAttempts: 1 });
      expect(resumed.providerInstanceId).not.toBeNull();
      expect((await h.orm.em.fork().find(SessionEntity, {})).length).toBe(2);
    });

    it('concludes that a create cut off by a crash made nothing only from every provider’s listing asked for after it began', async () => {
      h = await createLifecycleHarness();
      await h.lifecycle.syncWithProviders(); // both providers listed, before the create below
      h.clock.advance(5_000);
      const em = h.orm.em.fork();
      const row = insertSession(em, h.clock, { consumerId: 'con_atlas', workload: 'batch', reservationHours: 2, deploymentId: 'test', actor: 'test' });
      // Not in flight in this process: a replica that died mid-create left it.
      em.create(ProvisionAttemptEntity, { sessionId: row.id, attempt: 1, provider: 'vastai', offerId: 'vastai:1', instanceId: null, outcome: 'pending', error: null, startedAt: h.clock.now(), finishedAt: null });
      await em.flush();
      h.clock.advance(1_000);
      const attemptOutcome = async () => (await h.orm.em.fork().findOneOrFail(ProvisionAttemptEntity, { sessionId: row.id, attempt: 1 })).outcome;
      // TensorDock is listed now; Vast's last listing predates the create, which may yet show up in it.
      await h.lifecycle.syncWithProviders('tensordock');
      expect(await attemptOutcome()).toBe('pending');
      await h.lifecycle.syncWithProviders('vastai');
      expect(await attemptOutcome()).toBe('failed');
      await h.provisioner.settled();
    });
  });
});

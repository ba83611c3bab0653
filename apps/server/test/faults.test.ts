// Fault tests against the real server, the provider simulators and (where it matters) real agents:
// each injects one failure and ends by asserting zero orphans — every instance a provider still runs
// belongs to a live session.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MS_PER_MINUTE, parseSessionLabel, type Offer, type Session, type SessionCredentials } from '@gpu-shopper/domain';
import { AlertEntity, openDatabase, ProvisionAttemptEntity, SessionEntity, type AlertKind } from '@gpu-shopper/db';
import { nodeEnvOf, startSimulators, type RunningSimulators } from '@gpu-shopper/simulators';
import { startChildServer, type ChildServer } from './support/child-server';
import { provisionReady, sendHeartbeat } from './support/fake-node';
import { assertZeroOrphans, simulatorLiveInstances } from './support/orphans';
import { ADMIN_KEY, startTestStack, tickUntil, VAST_KEY, type TestStack } from './support/stack';

let stack: TestStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function attemptOutcomes(current: TestStack, sessionId: string): Promise<string[]> {
  const attempts = await current.orm.em.fork().find(ProvisionAttemptEntity, { sessionId }, { orderBy: { attempt: 'asc' } });
  return attempts.map((attempt) => attempt.outcome);
}

async function alertsOf(current: TestStack, kind: AlertKind) {
  return current.orm.em.fork().find(AlertEntity, { kind });
}

async function sessionState(current: TestStack, sessionId: string): Promise<Session> {
  return current.json<Session>(`/api/v1/sessions/${sessionId}`);
}

describe('a: the server is killed between the provider create and the commit', () => {
  let sims: RunningSimulators | undefined;
  let child: ChildServer | undefined;
  afterEach(async () => {
    await child?.kill('SIGKILL');
    await sims?.close();
  });

  it('adopts the instance by its label after a restart on the same database, and can still end it', async () => {
    sims = await startSimulators({ vastApiKey: VAST_KEY, tensordockApiToken: 'td-token', bootDelayMs: 0, vastOfferCount: 300, tensordockHostnodeCount: 40 });
    const dir = mkdtempSync(join(tmpdir(), 'gpu-shopper-crash-'));
    const env = {
      PORT: '0',
      HOST: '127.0.0.1',
      GPU_SHOPPER_DB: join(dir, 'db.sqlite'),
      GPU_SHOPPER_ADMIN_KEY: ADMIN_KEY,
      GPU_SHOPPER_TICK_SECONDS: '1',
      VASTAI_API_KEY: VAST_KEY,
      VASTAI_API_URL: sims.vastUrl,
      TENSORDOCK_API_TOKEN: 'td-token',
      TENSORDOCK_API_URL: sims.tensordockUrl,
    };
    child = await startChildServer(env);
    const call = async <T>(path: string, init: RequestInit & { key: string }): Promise<T> => {
      const headers: Record<string, string> = { authorization: `Bearer ${init.key}` };
      if (init.body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(`${child!.url}${path}`, { ...init, headers });
      expect(response.ok, `${path}: HTTP ${response.status}`).toBe(true);
      return (await response.json()) as T;
    };
    const { key } = await call<{ key: string }>('/api/v1/admin/keys', { method: 'POST', key: ADMIN_KEY, body: JSON.stringify({ consumer: 'crash' }) });

    // The create is made at once but answered only after 20 s: the kill lands in between.
    sims.vast.faults.set({ latencyMs: { create: 20_000 } });
    const created = await call<Session>('/api/v1/sessions', { method: 'POST', key, body: JSON.stringify({ gpu: '4090', hours: 1, provider: 'vastai' }) });
    for (let waited = 0; sims.vast.lifecycle.live().length === 0; waited += 20) {
      if (waited > 10_000) throw new Error('the create never reached the simulator');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const [instance] = sims.vast.lifecycle.live();
    expect(instance!.data.label).toBe(created.label);
    await child.kill('SIGKILL');
    sims.vast.faults.clear();

    const orm = await openDatabase({ dbPath: env.GPU_SHOPPER_DB });
    try {
      const before = await orm.em.fork().findOneOrFail(SessionEntity, { id: created.id });
      expect(before).toMatchObject({ state: 'provisioning', providerInstanceId: null });

      child = await startChildServer(env);
      const adopted = await call<Session>(`/api/v1/sessions/${created.id}`, { method: 'GET', key });
      expect(adopted).toMatchObject({ state: 'provisioning', provider: 'vastai', providerInstanceId: instance!.id });
      await assertZeroOrphans(sims, orm);

      await call(`/api/v1/sessions/${created.id}`, { method: 'DELETE', key });
      for (let waited = 0; (await call<Session>(`/api/v1/sessions/${created.id}`, { method: 'GET', key })).state !== 'terminated'; waited += 100) {
        if (waited > 15_000) throw new Error(`the adopted session never ended: ${child.stderr()}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(sims.vast.lifecycle.get(instance!.id)?.phase).toBe('destroyed');
      await assertZeroOrphans(sims, orm);
    } finally {
      await orm.close();
    }
  });
});

describe('b: the create answers an error although the instance was created', () => {
  const cases = [
    { name: 'Vast.ai, with the instance id in the error', provider: 'vastai', fault: { count: 1 } },
    { name: 'Vast.ai, without the instance id', provider: 'vastai', fault: { count: 1, includeInstanceId: false } },
    { name: 'TensorDock (500, no id)', provider: 'tensordock', fault: { count: 1 } },
  ] as const;
  for (const testCase of cases) {
    it(`${testCase.name}: the stray instance is destroyed and the session fails over`, async () => {
      stack = await startTestStack({ providerTimeoutMs: 500 });
      const sim = testCase.provider === 'vastai' ? stack.sims.vast : stack.sims.tensordock;
      sim.faults.set({ createErrorsButCreates: testCase.fault });
      const created = await stack.json<Session>('/api/v1/sessions', { method: 'POST', body: JSON.stringify({ gpu: '4090', hours: 1, provider: testCase.provider }) });
      await stack.server.provisioner!.settled();
      stack.clock.advance(6 * MS_PER_MINUTE); // past the sweep interval, within the ready deadline
      await stack.server.tick();

      expect(await attemptOutcomes(stack, created.id)).toEqual(['failed', 'created']);
      const attempts = await stack.orm.em.fork().find(ProvisionAttemptEntity, { sessionId: created.id }, { orderBy: { attempt: 'asc' } });
      expect(attempts[0]!.instanceId).not.toBeNull();
      expect(sim.lifecycle.get(attempts[0]!.instanceId!)?.phase).toBe('destroyed');
      const session = await sessionState(stack, created.id);
      expect(session).toMatchObject({ state: 'provisioning', providerInstanceId: attempts[1]!.instanceId });
      expect(simulatorLiveInstances(stack.sims)).toEqual([`${testCase.provider}:${attempts[1]!.instanceId}`]);
      await assertZeroOrphans(stack.sims, stack.orm);
    });
  }
});

describe('c: destroy rate-limited and timing out for minutes', () => {
  it('keeps the session stopping and retries until the provider confirms, then terminates it', async () => {
    stack = await startTestStack({ providerTimeoutMs: 100 });
    const node = await provisionReady(stack, 'vastai');
    stack.sims.vast.faults.set({ rateLimitStorm: { count: 40, endpoints: ['destroy'] }, destroyTimesOut: { count: 6, destroys: false } });
    await stack.json(`/api/v1/sessions/${node.id}`, { method: 'DELETE' });

    const startedAt = stack.clock.now().getTime();
    const seenStates = new Set<string>();
    await tickUntil(
      stack,
      async () => {
        const session = await sessionState(stack!, node.id);
        seenStates.add(session.state);
        return session.state === 'terminated';
      },
      'the teardown to be confirmed',
      { advanceMs: MS_PER_MINUTE, pauseMs: 0, timeoutMs: 30_000 },
    );
    const destroyCalls = stack.sims.vast.requests.filter((request) => request.endpoint === 'destroy').length;
    expect(destroyCalls).toBeGreaterThan(40);
    expect(stack.clock.now().getTime() - startedAt).toBeGreaterThan(10 * MS_PER_MINUTE);
    expect(seenStates).toContain('stopping');
    expect((await alertsOf(stack, 'teardown_stuck')).map((alert) => alert.sessionId)).toEqual([node.id]);
    expect(stack.sims.vast.lifecycle.get(node.instanceId)?.phase).toBe('destroyed');
    await assertZeroOrphans(stack.sims, stack.orm);
  });
});

describe('d: an instance listing of an unexpected shape', () => {
  it('raises listing_failed and changes nothing; a good listing then destroys the real orphan', async () => {
    stack = await startTestStack();
    const sessions = [await provisionReady(stack, 'vastai'), await provisionReady(stack, 'tensordock')];
    // An instance carrying this deployment's label for a session that does not exist: a true orphan.
    const deploymentId = parseSessionLabel((await sessionState(stack, sessions[0]!.id)).label)!.deploymentId;
    const freeOffer = stack.sims.vast.offers.find((offer) => !offer.rented)!;
    const orphan = await fetch(`${stack.sims.vastUrl}/api/v0/asks/${freeOffer.id}/`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${VAST_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ image: 'ubuntu', disk: 10, label: `gpu-shopper:${deploymentId}:ses_nobody`, env: {} }),
    });
    const orphanId = String(((await orphan.json()) as { new_contract: number }).new_contract);

    const snapshot = async () => (await stack!.orm.em.fork().find(SessionEntity, {}, { orderBy: { id: 'asc' } })).map((row) => ({ id: row.id, state: row.state, version: row.version, instance: row.providerInstanceId }));
    const sessionsBefore = await snapshot();
    const liveBefore = simulatorLiveInstances(stack.sims);
    stack.sims.vast.faults.set({ listingUnexpectedShape: { count: 100 } });
    stack.sims.tensordock.faults.set({ listingUnexpectedShape: { count: 100 } });

    // Three failed listings in a row make an outage worth an alert (one, not one per tick).
    await stack.server.lifecycle!.sweepProviders();
    await stack.server.lifecycle!.sweepProviders();
    expect(await alertsOf(stack, 'listing_failed')).toEqual([]);
    const reports = await stack.server.lifecycle!.sweepProviders();
    expect(reports.map((report) => [report.provider, report.error !== null, report.orphansDestroyed])).toEqual([
      ['vastai', true, []],
      ['tensordock', true, []],
    ]);
    expect((await alertsOf(stack, 'listing_failed')).map((alert) => alert.provider).sort()).toEqual(['tensordock', 'vastai']);
    expect(await snapshot()).toEqual(sessionsBefore);
    expect(simulatorLiveInstances(stack.sims)).toEqual(liveBefore);
    expect([...stack.sims.vast.requests, ...stack.sims.tensordock.requests].filter((request) => request.endpoint === 'destroy')).toEqual([]);

    stack.sims.vast.faults.clear();
    stack.sims.tensordock.faults.clear();
    const [vastReport] = await stack.server.lifecycle!.sweepProviders();
    expect(vastReport!.orphansDestroyed).toEqual([orphanId]);
    expect(await snapshot()).toEqual(sessionsBefore);
    await assertZeroOrphans(stack.sims, stack.orm);
  });
});

describe('e: the agent of a ready session crashes', () => {
  it('raises heartbeat_lost after the policy window and still shuts the node down at the reservation end', async () => {
    stack = await startTestStack({ agentEnv: { AGENT_HEARTBEAT_INTERVAL_S: '1' } });
    const created = await stack.json<Session>('/api/v1/sessions', { method: 'POST', body: JSON.stringify({ gpu: '4090', hours: 1, workload: 'training', provider: 'tensordock' }) });
    const ready = await tickUntil(stack, async () => {
      const session = await sessionState(stack!, created.id);
      return session.state === 'ready' ? session : null;
    }, 'the agent to make the session ready');
    const { nodeEndpoint } = await stack.json<SessionCredentials>(`/api/v1/sessions/${created.id}/credentials`);
    expect((await fetch(`${nodeEndpoint}/node/v1/healthz`)).status).toBe(200);

    process.kill(stack.nodes.get(ready.providerInstanceId!)!.pid!, 'SIGKILL');
    for (let waited = 0; await fetch(`${nodeEndpoint}/node/v1/healthz`).then(() => true, () => false); waited += 20) {
      if (waited > 5_000) throw new Error('the agent did not die');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    stack.clock.advance(4 * MS_PER_MINUTE);
    await stack.server.tick();
    expect(await alertsOf(stack, 'heartbeat_lost')).toEqual([]);
    stack.clock.advance(2 * MS_PER_MINUTE);
    await stack.server.tick();
    expect((await alertsOf(stack, 'heartbeat_lost')).map((alert) => alert.sessionId)).toEqual([created.id]);
    expect((await sessionState(stack, created.id)).state).toBe('ready'); // an alert, not a shutdown: the reservation still runs

    // The reservation ends with no word from the node: it is shut down (after the busy grace at most).
    const reservationEndsAt = new Date(created.reservation.endsAt).getTime();
    stack.clock.set(reservationEndsAt);
    const ended = await tickUntil(
      stack,
      async () => {
        const session = await sessionState(stack!, created.id);
        return session.state === 'terminated' ? session : null;
      },
      'the silent node to be shut down',
      { advanceMs: MS_PER_MINUTE, pauseMs: 0 },
    );
    expect(ended.endReason).toBe('expired');
    expect(stack.clock.now().getTime()).toBeLessThanOrEqual(reservationEndsAt + 20 * MS_PER_MINUTE);
    expect(stack.sims.tensordock.lifecycle.get(ready.providerInstanceId!)?.phase).toBe('destroyed');
    await assertZeroOrphans(stack.sims, stack.orm);
  });
});

describe('f: the chosen offer vanishes before the create', () => {
  for (const provider of ['vastai', 'tensordock'] as const) {
    it(`${provider}: fails over to the next offer; the attempts read offer_gone, created`, async () => {
      stack = await startTestStack();
      const { offers } = await stack.json<{ offers: Offer[] }>(`/api/v1/inventory?gpu=4090&provider=${provider}&limit=20`);
      const chosen = offers[0]!;
      // Someone else rents it between our menu and our create.
      if (provider === 'vastai') stack.sims.vast.offers.find((offer) => String(offer.id) === chosen.providerOfferId)!.rented = true;
      else stack.sims.tensordock.hostnodes.find((host) => host.id === chosen.providerOfferId)!.gpu.availableCount = 0;

      const created = await stack.json<Session>('/api/v1/sessions', { method: 'POST', body: JSON.stringify({ gpu: '4090', provider, hours: 1 }) });
      await stack.server.provisioner!.settled();
      await stack.server.tick();
      expect(await attemptOutcomes(stack, created.id)).toEqual(['offer_gone', 'created']);
      const [gone] = await stack.orm.em.fork().find(ProvisionAttemptEntity, { sessionId: created.id, attempt: 1 });
      expect(gone!.offerId).toBe(chosen.id);
      const session = await sessionState(stack, created.id);
      expect(session.state).toBe('provisioning');
      expect(session.offerId).not.toBe(chosen.id);
      expect(session.providerInstanceId).not.toBeNull();
      await assertZeroOrphans(stack.sims, stack.orm);
    });
  }
});

describe('a node that heartbeats before the create answer reaches the server', () => {
  it('still gets its instance recorded on the session (no lost write, no unowned instance)', async () => {
    const heartbeatStatuses: number[] = [];
    stack = await startTestStack({
      onInstanceRunning: async (launch) => {
        const env = nodeEnvOf(launch);
        const response = await fetch(`${env.GPU_SHOPPER_URL}/api/v1/sessions/${env.GPU_SHOPPER_SESSION_ID}/heartbeat`, {
          method: 'POST',
          headers: { authorization: `Bearer ${env.GPU_SHOPPER_NODE_TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ sessionId: env.GPU_SHOPPER_SESSION_ID, sentAt: new Date().toISOString(), status: { ready: true, runningJobs: 0, maxGpuUtilizationPercent: null }, activity: {}, idle: { idle: false, idleSince: null, reason: 'busy' }, final: false }),
        });
        heartbeatStatuses.push(response.status);
        return { stop: () => {} };
      },
    });
    stack.sims.vast.faults.set({ latencyMs: { create: 300 } }); // the node boots at once; the answer lags
    const created = await stack.json<Session>('/api/v1/sessions', { method: 'POST', body: JSON.stringify({ gpu: '4090', hours: 1, provider: 'vastai' }) });
    await stack.server.provisioner!.settled();
    expect(heartbeatStatuses).toEqual([200]); // it landed while the create was still in flight
    expect(await attemptOutcomes(stack, created.id)).toEqual(['created']);
    const [instance] = stack.sims.vast.lifecycle.live();
    expect((await sessionState(stack, created.id)).providerInstanceId).toBe(instance!.id);
    await stack.server.tick();
    expect((await sessionState(stack, created.id)).state).toBe('ready');
    await assertZeroOrphans(stack.sims, stack.orm);
  });
});

describe('a heartbeat that beats the first observation of the running instance', () => {
  it('does not leave a ready session without a node endpoint', async () => {
    stack = await startTestStack();
    const created = await stack.json<Session>('/api/v1/sessions', { method: 'POST', body: JSON.stringify({ gpu: '4090', hours: 1, provider: 'vastai' }) });
    await stack.server.provisioner!.settled();
    const { nodeToken } = await stack.json<SessionCredentials>(`/api/v1/sessions/${created.id}/credentials`);
    await sendHeartbeat(stack, created.id, nodeToken); // before any tick observed the instance
    await stack.server.tick();
    expect((await sessionState(stack, created.id)).state).toBe('ready');
    const credentials = await stack.json<SessionCredentials>(`/api/v1/sessions/${created.id}/credentials`);
    expect(credentials.nodeEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(credentials.ssh.port).not.toBeNull();
  });
});

// Failures a node reports in its heartbeat: a booting session's attempt fails at once (failing over
// to another offer while it can), a ready session records it and goes on.
import { afterEach, describe, expect, it } from 'vitest';
import { MS_PER_MINUTE, UnauthorizedError } from '@gpu-shopper/domain';
import { ProvisionAttemptEntity } from '@gpu-shopper/db';
import { createLifecycleHarness, type LifecycleHarness } from '../test-support/lifecycle-harness';
import { HeartbeatService, type Heartbeat, type NodeFailureStage } from './heartbeat-service';

const ENGINE_REASON = 'LLM engine exited with code 1 after 3 restarts; given up; last output:\ntorch.OutOfMemoryError: CUDA out of memory';

/** What a node that failed sends: the bootstrap script's minimal body, or the agent's with its failure. */
const failing = (stage: NodeFailureStage, reason: string): Heartbeat => ({
  status: { ready: false, runningJobs: 0, maxGpuUtilizationPercent: null },
  idle: { idle: false, idleSince: null, reason: stage },
  final: false,
  failure: { stage, reason },
});

describe('HeartbeatService: failures reported by the node', () => {
  let h: LifecycleHarness;
  let logs: string[];
  afterEach(() => h?.close());

  const service = (withLifecycle = true) =>
    new HeartbeatService(h.orm.em.fork(), h.clock, h.webhooks, h.registry, {
      ...(withLifecycle ? { failProvisioning: (id: string, reason: string) => h.lifecycle.failReportedByNode(id, reason) } : {}),
      logger: { warn: (message) => void logs.push(message) },
    });
  const tokenOf = async (id: string) => h.secrets.open((await h.session(id)).nodeTokenEncrypted!);
  const attempts = (id: string) => h.orm.em.fork().find(ProvisionAttemptEntity, { sessionId: id }, { orderBy: { attempt: 'asc' } });

  it('fails a booting session’s attempt at once and fails over to another offer; the old node is told to shut down and no longer heard', async () => {
    h = await createLifecycleHarness();
    logs = [];
    const id = await h.provision({ provider: 'vastai', workload: 'llm', llmModel: 'tiny' });
    await h.advance(3 * MS_PER_MINUTE); // booted: long before the 15-minute deadline
    const first = await h.session(id);
    const token = await tokenOf(id);

    const answer = await service().receive(id, token, failing('engine', ENGINE_REASON));
    expect(answer).toMatchObject({ shutdown: true, shutdownReason: `node reported engine failure: ${ENGINE_REASON}` });
    await h.provisioner.settled();
    const next = await h.session(id);
    expect(next).toMatchObject({ state: 'provisioning', provisionAttempts: 2 });
    expect(next.providerInstanceId).not.toBe(first.providerInstanceId);
    expect(next.failureReason).toBe(`attempt 1 on ${first.offerId}: node reported engine failure: ${ENGINE_REASON}`);
    expect((await attempts(id)).map((attempt) => [attempt.outcome, attempt.error])).toEqual([
      ['failed', `node reported engine failure: ${ENGINE_REASON}`],
      ['created', null],
    ]);
    expect(['exiting', 'destroyed']).toContain(h.sims.vast.lifecycle.get(first.providerInstanceId!)?.phase);
    expect(h.webhooks.named('session.failed')).toEqual([]);
    // The failed node's token was replaced: its later reports change nothing.
    await expect(service().receive(id, token, failing('engine', ENGINE_REASON))).rejects.toBeInstanceOf(UnauthorizedError);
    // The next node comes up and is ready.
    await h.advance(3 * MS_PER_MINUTE);
    await h.heartbeat(id);
    expect((await h.session(id)).state).toBe('ready');
  });

  it('ends a booting session with no attempt left: failed provision, its reason, session.failed', async () => {
    h = await createLifecycleHarness({}, { maxAttempts: 1 });
    logs = [];
    const id = await h.provision({ provider: 'vastai' });
    await h.advance(2 * MS_PER_MINUTE);
    const answer = await service().receive(id, await tokenOf(id), failing('bootstrap', 'node: not found; the agent bundle could not be downloaded'));
    const reason = 'node reported bootstrap failure: node: not found; the agent bundle could not be downloaded';
    expect(answer).toMatchObject({ shutdown: true, shutdownReason: reason });
    expect(await h.session(id)).toMatchObject({ state: 'stopping', endReason: 'provision_failed', failureReason: reason });
    expect(h.webhooks.named('session.failed').map((event) => event.payload)).toEqual([{ sessionId: id, reason }]);
    for (let i = 0; i < 5; i += 1) await h.advance(2 * MS_PER_MINUTE);
    expect(await h.session(id)).toMatchObject({ state: 'failed', failureReason: reason });
  });

  it('records a failure on a ready session without ending it, and logs it once', async () => {
    h = await createLifecycleHarness();
    logs = [];
    const id = await h.provisionReady('llm', 2);
    const token = await tokenOf(id);
    for (let beat = 0; beat < 3; beat += 1) {
      const answer = await service().receive(id, token, failing('engine', ENGINE_REASON));
      expect(answer.shutdown).toBe(false);
      await h.advance(MS_PER_MINUTE);
    }
    expect(await h.session(id)).toMatchObject({ state: 'ready', agentReady: false, failureReason: `node reported engine failure: ${ENGINE_REASON}` });
    expect(logs.filter((line) => line.includes('node reported engine failure'))).toHaveLength(1);
    expect(h.webhooks.named('session.failed')).toEqual([]);
  });

  it('without the lifecycle hook, records a booting node’s failure and leaves the attempt to its deadline', async () => {
    h = await createLifecycleHarness();
    logs = [];
    const id = await h.provision({ provider: 'vastai' });
    await h.advance(3 * MS_PER_MINUTE);
    const answer = await service(false).receive(id, await tokenOf(id), failing('engine', ENGINE_REASON));
    expect(answer.shutdown).toBe(false);
    expect(await h.session(id)).toMatchObject({ state: 'provisioning', provisionAttempts: 1, failureReason: `node reported engine failure: ${ENGINE_REASON}` });
  });

  it('never makes a node that reports a failure ready, even when it also says ready', async () => {
    h = await createLifecycleHarness();
    logs = [];
    const id = await h.provision({ provider: 'vastai' });
    await h.advance(3 * MS_PER_MINUTE);
    const beat = failing('engine', ENGINE_REASON);
    await service(false).receive(id, await tokenOf(id), { ...beat, status: { ...beat.status, ready: true } });
    await h.advance(MS_PER_MINUTE);
    expect(await h.session(id)).toMatchObject({ state: 'provisioning', agentReady: false });
  });
});

// A node that dies on its own is an exited container: the instance shows the provider's failed state
// with the node's last output, at once (not at the server's ready deadline), and compute billing stops.
// A node the simulator stops, or one killed by a signal from outside, does not fail its instance.
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '@gpu-shopper/domain';
import { startSimulators, type RunningSimulators, type StartSimulatorsOptions } from '../start-simulators';
import { adminBilling, adminInstances, call, createTdInstance, createVastInstance, waitFor } from '../test-support/sim-http';
import { agentNodeRuntime } from './agent-node-runtime';
import { createSpawnRuntime } from './node-runtime';

const HOUR_MS = 3_600_000;
let sims: RunningSimulators | undefined;
afterEach(async () => {
  await sims?.close();
  sims = undefined;
});

async function start(options: StartSimulatorsOptions): Promise<RunningSimulators> {
  sims = await startSimulators({ seed: 11, vastOfferCount: 30, tensordockHostnodeCount: 10, ...options });
  return sims;
}

const crashingNode = createSpawnRuntime({ command: () => ({ command: 'sh', args: ['-c', 'echo booting; echo "fatal: cannot bind 127.0.0.1:8787" >&2; exit 3'] }), mainProcess: true });

describe('a node that exits', () => {
  it('fails its Vast instance: actual_status exited, status_msg its last output, compute billing stopped', async () => {
    const clock = new ManualClock('2026-03-01T00:00:00.000Z');
    const logged: string[] = [];
    const { vast, vastUrl } = await start({ clock, onInstanceRunning: crashingNode, log: (message) => logged.push(message) });
    const id = await createVastInstance(vast, 'k');
    const row = await waitFor(async () => (await adminInstances(vastUrl)).find((candidate) => candidate.id === id && candidate.phase === 'failed'), 'the instance to fail');
    expect(row.statusMessage).toContain('fatal: cannot bind 127.0.0.1:8787');
    const shown = (await call(vastUrl, 'GET', `/api/v0/instances/${id}/`, 'k')).json.instances as Record<string, unknown>;
    expect(shown).toMatchObject({ actual_status: 'exited', intended_status: 'running', cur_state: 'running' });
    expect(shown.status_msg).toContain('fatal: cannot bind');
    expect(logged.join('\n')).toMatch(new RegExp(`vastai instance ${id}: node exited with 3`));

    clock.advance(HOUR_MS);
    const billed = (await adminBilling(vastUrl)).find((candidate) => candidate.instanceId === id)!;
    expect(billed.computeUsd).toBe(0);
    expect(billed.storageHours).toBe(1);
  });

  it('fails its TensorDock VM with a status our adapter reads as failed', async () => {
    const { tensordock, tensordockUrl } = await start({ onInstanceRunning: crashingNode });
    const vm = await createTdInstance(tensordock, 't');
    await waitFor(async () => (await adminInstances(tensordockUrl)).find((candidate) => candidate.id === vm.id && candidate.phase === 'failed'), 'the VM to fail');
    const shown = (await call(tensordockUrl, 'GET', `/api/v2/instances/${vm.id}`, 't')).json;
    expect(((shown.data ?? shown) as { status: string }).status).toBe('error');
  });

  it('fails when the real agent cannot start, with its configuration error as the message', { timeout: 60_000 }, async () => {
    const runtime = agentNodeRuntime({ agentPort: 8787 });
    expect(runtime).not.toBeNull();
    const { vast, vastUrl } = await start({ onInstanceRunning: runtime! });
    const id = await createVastInstance(vast, 'k', { env: { AGENT_PORT: '8787' } }); // no session id, no node token
    const row = await waitFor(async () => (await adminInstances(vastUrl)).find((candidate) => candidate.id === id && candidate.phase === 'failed'), 'the agent to give up', 45_000);
    expect(row.statusMessage).toMatch(/Invalid agent configuration[\s\S]*GPU_SHOPPER_SESSION_ID/);
  });

  it('does not fail the instance when the simulator stops the node, nor when a signal from outside kills it', async () => {
    const sleeper = createSpawnRuntime({ command: () => ({ command: 'sleep', args: ['30'] }), mainProcess: true });
    const { vast, vastUrl } = await start({ onInstanceRunning: sleeper });
    const stopped = await createVastInstance(vast, 'k');
    await waitFor(async () => (await adminInstances(vastUrl)).find((row) => row.id === stopped)?.nodePid, 'the first node');
    await call(vastUrl, 'PUT', `/api/v0/instances/${stopped}/`, 'k', { state: 'stopped' });

    const crashed = await createVastInstance(vast, 'k', { offerIndex: 1 });
    const pid = await waitFor(async () => (await adminInstances(vastUrl)).find((row) => row.id === crashed)?.nodePid, 'the second node');
    process.kill(pid, 'SIGKILL');
    await waitFor(async () => (await adminInstances(vastUrl)).find((row) => row.id === crashed)?.nodePid === null, 'the crash to be noticed');
    expect((await adminInstances(vastUrl)).map((row) => [row.id, row.phase])).toEqual([
      [stopped, 'stopped'],
      [crashed, 'running'],
    ]);
  });
});

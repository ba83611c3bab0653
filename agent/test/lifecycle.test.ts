// Heartbeat, reservation extension, shutdown instruction and the dead-man switch, end to end
// through tick() with a manual clock and a fake shopper: hours of node life in milliseconds.
import { describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../src/clock';
import type { RunCommand } from '../src/process/run-command';
import { noGpuRunCommand, startTestAgent, TEST_TOKEN } from './test-support/agent-harness';
import { fakeShopper } from './test-support/fake-shopper';

const minute = 60_000;

async function runFor(agent: { tick(): Promise<void> }, clock: ManualClock, minutes: number, stepMs = 15_000) {
  for (let elapsed = 0; elapsed < minutes * minute; elapsed += stepMs) {
    clock.advanceMs(stepMs);
    await agent.tick();
  }
}

describe('node lifecycle with the shopper', () => {
  it('heartbeats every 15 s with status, activity and idle; goes idle after the batch threshold', async () => {
    const clock = new ManualClock('2030-01-01T00:00:00Z');
    const shopper = fakeShopper();
    const agent = await startTestAgent({ shopperUrl: 'https://shopper.test', reservationEndsAt: new Date('2030-01-01T04:00:00Z') }, { clock, fetch: shopper.fetch });
    try {
      await agent.tick();
      await runFor(agent, clock, 5);
      expect(shopper.heartbeats).toHaveLength(21);
      await agent.call('/node/v1/files/upload?path=a.txt', { method: 'POST', body: 'a' });
      await runFor(agent, clock, 9);
      expect(shopper.heartbeats.at(-1)?.idle.idle).toBe(false);
      await runFor(agent, clock, 1.5);
      const last = shopper.heartbeats.at(-1)!;
      expect(last.idle).toMatchObject({ idle: true });
      expect(last).toMatchObject({ sessionId: 'sess_test', final: false, status: { gpuProbe: 'none', ready: true, reservationEndsAt: '2030-01-01T04:00:00.000Z' } });
      expect(shopper.calls[0]?.[0]).toBe('https://shopper.test/api/v1/sessions/sess_test/heartbeat');
    } finally {
      await agent.dispose();
    }
  });

  it('takes an extended reservation end from the heartbeat answer, and the dead-man switch respects it', async () => {
    const clock = new ManualClock('2030-01-01T00:00:00Z');
    const shopper = fakeShopper();
    const runCommand = vi.fn<RunCommand>(noGpuRunCommand);
    const agent = await startTestAgent(
      { shopperUrl: 'https://shopper.test', reservationEndsAt: new Date('2030-01-01T01:00:00Z'), powerOffCommand: 'poweroff-now' },
      { clock, fetch: shopper.fetch, runCommand },
    );
    const poweredOff = () => runCommand.mock.calls.some(([, args]) => args.includes('poweroff-now'));
    try {
      shopper.answer({ reservationEndsAt: '2030-01-01T03:00:00Z', shutdown: false });
      await agent.tick();
      expect(agent.runtime.reservationEndsAt?.toISOString()).toBe('2030-01-01T03:00:00.000Z');
      shopper.setReachable(false);
      // Unreachable from 00:00 on; the original end (01:00) + grace passes, but the extended one has not.
      await runFor(agent, clock, 190, 60_000);
      expect(poweredOff()).toBe(false);
      expect(agent.runtime.deadMan.state).toBe('armed');
      expect(agent.runtime.heartbeat.consecutiveFailures).toBeGreaterThan(3);
      await runFor(agent, clock, 6, 60_000);
      expect(poweredOff()).toBe(true);
      expect(agent.runtime.deadMan.state).toBe('fired');
    } finally {
      await agent.dispose();
    }
  });

  it('on Vast.ai the dead-man switch destroys its own instance with the instance key', async () => {
    const clock = new ManualClock('2030-01-01T00:00:00Z');
    const shopper = fakeShopper();
    shopper.setReachable(false);
    const logged: string[] = [];
    const record = (message: string, fields?: Record<string, unknown>) => logged.push(JSON.stringify({ message, ...fields }));
    const logger = { info: record, warn: record, error: record };
    const agent = await startTestAgent(
      { shopperUrl: 'https://shopper.test', reservationEndsAt: new Date('2030-01-01T00:30:00Z'), vast: { containerId: '777', containerApiKey: 'inst-key', apiUrl: 'https://vast.test' } },
      { clock, fetch: shopper.fetch, logger },
    );
    try {
      await runFor(agent, clock, 44, 60_000);
      expect(agent.runtime.deadMan.state).toBe('armed');
      await runFor(agent, clock, 2, 60_000);
      expect(agent.runtime.deadMan.state).toBe('fired');
      const destroy = shopper.calls.find(([url]) => String(url).includes('vast'));
      expect(destroy?.[0]).toBe('https://vast.test/api/v0/instances/777/');
      expect(destroy?.[1]).toMatchObject({ method: 'DELETE', headers: { authorization: 'Bearer inst-key' } });
      // Secrets never reach the log, not even when things fail.
      expect(logged.length).toBeGreaterThan(3);
      expect(logged.join('\n')).not.toMatch(new RegExp(`${TEST_TOKEN}|inst-key`));
    } finally {
      await agent.dispose();
    }
  });

  it('a shutdown instruction stops jobs with a grace and sends a final heartbeat', async () => {
    const clock = new ManualClock('2030-01-01T00:00:00Z');
    const shopper = fakeShopper();
    const agent = await startTestAgent(
      { shopperUrl: 'https://shopper.test', shutdown: { jobGraceMs: 300 }, reservationEndsAt: new Date('2030-01-01T01:00:00Z') },
      { clock, fetch: shopper.fetch },
    );
    try {
      const job = agent.runtime.jobs.start({ argv: [process.execPath, '-e', "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000); console.log('ready')"], cwd: agent.runtime.config.workspaceRoot });
      // Only once it ignores SIGTERM does the grace matter (a slow start would die of the SIGTERM).
      for (let waited = 0; !agent.runtime.jobs.logs(job.jobId, 10).some((line) => line.text === 'ready'); waited += 10) {
        if (waited > 10_000) throw new Error('the job never started');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      shopper.answer({ reservationEndsAt: null, shutdown: true, shutdownReason: 'budget exhausted' });
      await agent.tick();
      expect(await agent.stopped).toBe('budget exhausted');
      expect(agent.runtime.jobs.status(job.jobId)).toMatchObject({ state: 'exited', exitSignal: 'SIGKILL' });
      const final = shopper.heartbeats.at(-1)!;
      expect(final.final).toBe(true);
      expect(final.status.runningJobs).toBe(0);
      expect(agent.runtime.shutdownState).toBe('stopped');
      // Nobody destroys the node: the dead-man switch still ends it after the reservation.
      expect((await agent.call('/node/v1/status')).status).toBe(200);
      const heartbeatsSoFar = shopper.heartbeats.length;
      await runFor(agent, clock, 74, 60_000);
      expect(agent.runtime.deadMan.state).toBe('armed');
      await runFor(agent, clock, 2, 60_000);
      expect(agent.runtime.deadMan.state).toBe('fired');
      expect(shopper.heartbeats).toHaveLength(heartbeatsSoFar);
    } finally {
      await agent.dispose();
    }
  });

  it('refuses new work while draining', async () => {
    const agent = await startTestAgent();
    try {
      agent.runtime.shutdownState = 'draining';
      expect((await agent.call('/node/v1/files')).status).toBe(503);
      expect((await agent.call('/node/v1/status')).status).toBe(200);
      expect((await fetch(`${agent.url}/node/v1/healthz`)).status).toBe(503);
    } finally {
      agent.runtime.shutdownState = 'running';
      await agent.dispose();
    }
  });
});

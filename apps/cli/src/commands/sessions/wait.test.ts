// `done --wait` and `shutdown --wait`: poll the session until the instance is gone (or stopped with
// its disk), naming the phase; give up after --timeout minutes with exit 1.
import { describe, expect, it } from 'vitest';
import { runCaptured } from '../../test-support/harness';
import { scriptedSessionClient, sessionDetail } from '../../test-support/fixtures';

const stopping = sessionDetail({
  state: 'stopping',
  endReason: 'done',
  events: [{ at: '2026-01-01T11:00:00.000Z', from: 'ready', to: 'stopping', reason: 'done (storage: destroy)', actor: 'consumer:atlas' }],
});
const terminated = sessionDetail({ state: 'terminated', endReason: 'done', endedAt: '2026-01-01T11:01:00.000Z' });
const env = { GPU_SHOPPER_API_KEY: 'gsc_x' };

describe('waiting for a session to end', () => {
  it('done --wait shows the phase until the instance is gone, then the session', async () => {
    const { createClient, reads } = scriptedSessionClient(stopping, [stopping, stopping, terminated]);
    const run = await runCaptured(['done', 'ses_1', '--wait'], { env, createClient, pollIntervalMs: 1 });
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toMatch(/^ses_1: stopping \(done \(storage: destroy\), instance 777 on vastai\), \d+s elapsed\nses_1: terminated, \d+s elapsed\n$/);
    expect(run.stdout).toMatch(/State:\s+terminated \(done\)/);
    expect(reads()).toBe(3);
  });

  it('without --wait returns at once; with --json prints the ended session', async () => {
    const once = scriptedSessionClient(stopping, [terminated]);
    expect((await runCaptured(['done', 'ses_1'], { env, createClient: once.createClient })).stdout).toMatch(/State:\s+stopping \(done\)/);
    expect(once.reads()).toBe(0);
    const json = await runCaptured(['shutdown', 'ses_1', '--wait', '--json'], { env, createClient: scriptedSessionClient(stopping, [terminated]).createClient, pollIntervalMs: 1 });
    expect(JSON.parse(json.stdout)).toMatchObject({ id: 'ses_1', state: 'terminated' });
  });

  it('a stopped session (disk kept) counts as ended', async () => {
    const stopped = sessionDetail({ state: 'stopped', endReason: 'done' });
    const run = await runCaptured(['done', 'ses_1', '--preserve-storage', '--wait'], { env, createClient: scriptedSessionClient(stopping, [stopped]).createClient, pollIntervalMs: 1 });
    expect(run).toMatchObject({ exitCode: 0, stderr: 'ses_1: stopped (disk kept; it still costs storage), 0s elapsed\n' });
  });

  it('gives up after --timeout minutes with exit 1 (as JSON with --json)', async () => {
    let minutes = 0;
    const now = () => new Date(Date.UTC(2026, 0, 1, 11, minutes++));
    const run = await runCaptured(['shutdown', 'ses_1', '--wait', '--timeout=2'], { env, createClient: scriptedSessionClient(stopping, [stopping]).createClient, pollIntervalMs: 1, now });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/\ngpu-shopper: session ses_1 is still stopping after 2 min \(the lifecycle keeps at it; see "gpu-shopper session ses_1"\)\n$/);
    minutes = 0;
    const json = await runCaptured(['shutdown', 'ses_1', '--wait', '--timeout=1', '--json'], { env, createClient: scriptedSessionClient(stopping, [stopping]).createClient, pollIntervalMs: 1, now });
    expect(JSON.parse(json.stderr.trim().split('\n').at(-1)!)).toEqual({ error: { code: 'TIMEOUT', message: expect.stringContaining('still stopping after 1 min'), field: null } });
  });
});

// Idle detection judged from status readings, and the polling loop driven by a scripted agent and
// load on a fake clock (the real thing needs a GPU: see README.md).
import { describe, expect, it } from 'vitest';
import type { NodeStatus } from '../status/node-status';
import type { LoadOutcome } from './gpu-load';
import { judgeIdleRun, runIdleCheck } from './idle-check';
import type { IdleObservation } from './idle-check';

const LOAD_OK: LoadOutcome = { exitCode: 0, lastOutput: 'busy kernel on NVIDIA H200: 5000 launches in 20.0 s' };
const criteria = { gpuActivePercent: 5, idleThresholdMs: 10_000, loadEndedAtMs: 20_000, load: LOAD_OK };
const seen = (atMs: number, phase: IdleObservation['phase'], utilizationPercent: number | null, idle: boolean): IdleObservation => ({
  atMs,
  phase,
  utilizationPercent,
  idle,
  reason: idle ? 'no activity for 0 min' : `GPU utilization ${utilizationPercent}% ≥ 5%`,
});

describe('judgeIdleRun', () => {
  it('passes on busy under load, then idle after it, with the peak and the delay', () => {
    const row = judgeIdleRun([seen(0, 'before', 0, true), seen(1000, 'load', 64, false), seen(2000, 'load', 100, false), seen(25_000, 'after', 0, false), seen(32_500, 'after', 0, true)], criteria);
    expect(row).toEqual({
      check: 'idle detection',
      result: 'ok',
      figure: 'peak 100%, idle 13 s after load',
      detail: 'busy → idle seen (busy at ≥ 5%, idle after 10 s quiet); load: busy kernel on NVIDIA H200: 5000 launches in 20.0 s',
    });
  });

  it('fails when the load failed, the GPU never got busy, the agent stayed idle, or never went idle', () => {
    expect(judgeIdleRun([seen(1000, 'load', 0, true)], { ...criteria, load: { exitCode: 1, lastOutput: 'cudaMalloc: out of memory' } })).toMatchObject({
      result: 'FAIL',
      detail: 'the GPU load failed (exit 1): cudaMalloc: out of memory',
    });
    expect(judgeIdleRun([seen(1000, 'load', 2, false), seen(2000, 'load', null, false)], criteria)).toMatchObject({
      result: 'FAIL',
      figure: 'peak 2%',
      detail: 'GPU utilization never reached 5% in 2 status reading(s) under the load',
    });
    expect(judgeIdleRun([seen(1000, 'load', 100, true), seen(21_000, 'after', 0, true)], criteria)).toMatchObject({ result: 'FAIL', detail: expect.stringContaining('called the node idle while the GPU was at 100%') });
    expect(judgeIdleRun([seen(1000, 'load', 100, false), seen(60_000, 'after', 0, false)], criteria)).toMatchObject({
      result: 'FAIL',
      detail: 'still busy 40 s after the load ended (busy at ≥ 5%, idle after 10 s quiet); last: GPU utilization 0% ≥ 5%',
    });
  });
});

/** An agent whose GPU reads 100% while the load runs and 0% after; idle 10 s after the last busy reading. */
function scriptedRun(loadMs: number, load: LoadOutcome = LOAD_OK) {
  let clockMs = 0;
  let loadRunning = false;
  let lastBusyMs = 0;
  let finishLoad: () => void = () => {};
  const reads: { atMs: number; utilization: number; idle: boolean }[] = [];
  const readStatus = async () => {
    const utilization = loadRunning ? 100 : 0;
    if (utilization >= 5) lastBusyMs = clockMs;
    const idle = clockMs - lastBusyMs >= 10_000;
    reads.push({ atMs: clockMs, utilization, idle });
    return { gpu: { gpus: [{ utilizationPercent: utilization }] }, idle: { idle, idleSince: null, reason: idle ? 'quiet' : 'busy' } } as unknown as NodeStatus;
  };
  const startLoad = () =>
    new Promise<LoadOutcome>((resolve) => {
      loadRunning = true;
      const loadEndsAtMs = clockMs + loadMs;
      finishLoad = () => {
        if (loadRunning && clockMs >= loadEndsAtMs) {
          loadRunning = false;
          resolve(load);
        }
      };
    });
  const sleep = async (ms: number) => {
    clockMs += ms;
    finishLoad();
  };
  return { reads, deps: { readStatus, startLoad, now: () => clockMs, sleep, pollMs: 1000, gpuActivePercent: 5, idleThresholdMs: 10_000, idleTimeoutMs: 40_000 } };
}

describe('runIdleCheck', () => {
  it('reads the status through the load and until the agent calls the node idle', async () => {
    const { reads, deps } = scriptedRun(20_000);
    const row = await runIdleCheck(deps);
    expect(row).toMatchObject({ result: 'ok', figure: 'peak 100%, idle 9.0 s after load' });
    expect(reads.filter((read) => read.utilization === 100)).toHaveLength(20);
    expect(reads.at(-1)).toEqual({ atMs: 29_000, utilization: 0, idle: true });
  });

  it('stops waiting once the load fails', async () => {
    const { reads, deps } = scriptedRun(3000, { exitCode: 1, lastOutput: 'no CUDA-capable device is detected' });
    expect(await runIdleCheck(deps)).toMatchObject({ result: 'FAIL', detail: 'the GPU load failed (exit 1): no CUDA-capable device is detected' });
    expect(reads.at(-1)!.atMs).toBe(2000);
  });

  it('gives up after the timeout when the agent stays busy', async () => {
    const { deps } = scriptedRun(5000);
    const row = await runIdleCheck({ ...deps, readStatus: async () => ({ ...(await deps.readStatus()), idle: { idle: false, idleSince: null, reason: 'a job is running' } }) });
    expect(row).toMatchObject({ result: 'FAIL', detail: expect.stringMatching(/^still busy 4\d s after the load ended .*last: a job is running$/) });
  });
});

import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock';
import type { GpuProbe } from '../status/nvidia-smi';
import { IdleDetector } from './idle-detector';
import type { IdleSignals } from './idle-detector';

const minute = 60_000;
const gpus = (utilizationPercent: number | null, at: Date): GpuProbe => ({
  state: 'ok',
  sampledAt: at,
  gpus: [{ index: 0, name: 'H100', utilizationPercent, memoryUsedMiB: 1, memoryTotalMiB: 80, temperatureC: 40, powerDrawW: 100 }],
});

function harness(workload: 'llm' | 'training' | 'batch', idleAfterMin: number) {
  const clock = new ManualClock();
  const detector = new IdleDetector(workload, { idleAfterMs: idleAfterMin * minute, gpuActivePercent: 5 }, clock.now());
  const signals: Omit<IdleSignals, 'now'> = { lastActivityAt: null, inFlightRequests: 0, runningJobs: 0, gpuProbe: null };
  const at = (minutes: number, changes: Partial<Omit<IdleSignals, 'now'>> = {}) => {
    clock.advanceMs(minutes * minute);
    Object.assign(signals, changes);
    return detector.evaluate({ ...signals, now: clock.now() });
  };
  return { clock, at };
}

describe('idle detection', () => {
  it('llm: idle after 30 min without requests, and busy again on a request', () => {
    const { clock, at } = harness('llm', 30);
    expect(at(29).idle).toBe(false);
    const idle = at(1);
    expect(idle.idle).toBe(true);
    expect(idle.reason).toMatch(/llm threshold 30 min/);
    at(10);
    expect(at(0, { lastActivityAt: clock.now() }).idle).toBe(false);
    expect(at(29).idle).toBe(false);
    expect(at(1).idle).toBe(true);
  });

  it('a long request in flight keeps the node busy', () => {
    const { at } = harness('llm', 30);
    at(0, { inFlightRequests: 1 });
    expect(at(120).idle).toBe(false);
    at(0, { inFlightRequests: 0 });
    expect(at(29).idle).toBe(false);
    expect(at(1).idle).toBe(true);
  });

  it('training: a running job or GPU ≥ 5% is activity; idle after 20 min of neither', () => {
    const { clock, at } = harness('training', 20);
    at(0, { runningJobs: 1 });
    expect(at(60).idle).toBe(false);
    at(0, { runningJobs: 0, gpuProbe: gpus(80, clock.now()) });
    expect(at(25).idle).toBe(false);
    at(0, { gpuProbe: gpus(3, clock.now()) });
    expect(at(19).idle).toBe(false);
    const idle = at(1);
    expect(idle.idle).toBe(true);
    expect(idle.idleSince?.toISOString()).toBe(new Date(clock.now().getTime() - 20 * minute).toISOString());
  });

  it('batch: idle 10 min after all jobs exited', () => {
    const { at } = harness('batch', 10);
    at(0, { runningJobs: 2 });
    at(5);
    at(0, { runningJobs: 0 });
    expect(at(9).idle).toBe(false);
    expect(at(1).idle).toBe(true);
  });

  it('a failed GPU probe counts as active', () => {
    const { clock, at } = harness('training', 20);
    at(0, { gpuProbe: { state: 'failed', gpus: [], sampledAt: clock.now(), error: 'driver' } });
    const state = at(120);
    expect(state.idle).toBe(false);
    expect(state.reason).toMatch(/probe failed/);
  });

  it('an unknown utilization counts as active; no GPU does not', () => {
    const { clock, at } = harness('training', 20);
    at(0, { gpuProbe: gpus(null, clock.now()) });
    expect(at(60).idle).toBe(false);
    at(0, { gpuProbe: { state: 'none', gpus: [], sampledAt: clock.now() } });
    expect(at(20).idle).toBe(true);
  });
});

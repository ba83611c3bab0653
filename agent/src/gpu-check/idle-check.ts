// Idle detection check: run a GPU load and watch the agent's status. Under the load the GPU must read
// busy (utilization at or above the agent's threshold) and the agent must not call the node idle;
// once the load ends the agent must flip to idle after its (shortened) quiet threshold.
import type { StatusReader } from './agent-api';
import { maxUtilizationPercent } from './agent-api';
import type { LoadOutcome } from './gpu-load';
import { CHECK_NAMES } from './plan';
import { failRow, okRow } from './table';
import type { CheckRow } from './table';
import { formatSeconds } from './throughput';

export interface IdleObservation {
  atMs: number;
  phase: 'before' | 'load' | 'after';
  utilizationPercent: number | null;
  idle: boolean;
  reason: string;
}

export interface IdleCriteria {
  gpuActivePercent: number;
  idleThresholdMs: number;
  loadEndedAtMs: number;
  load: LoadOutcome;
}

const percent = (value: number | null) => (value === null ? 'n/a' : `${value}%`);

/** Judges a finished run from its observations; pure. */
export function judgeIdleRun(observations: IdleObservation[], criteria: IdleCriteria): CheckRow {
  const name = CHECK_NAMES.idle;
  const duringLoad = observations.filter((observation) => observation.phase === 'load');
  const readings = duringLoad.map((observation) => observation.utilizationPercent).filter((value): value is number => value !== null);
  const peak = readings.length > 0 ? Math.max(...readings) : null;
  const figure = (extra: string) => `peak ${percent(peak)}${extra}`;
  const threshold = `busy at ≥ ${criteria.gpuActivePercent}%, idle after ${formatSeconds(criteria.idleThresholdMs)} quiet`;
  if (criteria.load.exitCode !== 0) {
    return failRow(name, `the GPU load failed (exit ${criteria.load.exitCode ?? 'none'}): ${criteria.load.lastOutput || 'no output'}`, figure(''));
  }
  if (peak === null || peak < criteria.gpuActivePercent) {
    return failRow(name, `GPU utilization never reached ${criteria.gpuActivePercent}% in ${duringLoad.length} status reading(s) under the load`, figure(''));
  }
  const busySeen = duringLoad.some((observation) => !observation.idle && (observation.utilizationPercent ?? 0) >= criteria.gpuActivePercent);
  if (!busySeen) return failRow(name, `the agent called the node idle while the GPU was at ${percent(peak)} (${threshold})`, figure(''));
  const firstIdle = observations.find((observation) => observation.phase === 'after' && observation.idle);
  if (!firstIdle) {
    const last = observations.at(-1);
    const waitedMs = (last?.atMs ?? criteria.loadEndedAtMs) - criteria.loadEndedAtMs;
    return failRow(name, `still busy ${formatSeconds(waitedMs)} after the load ended (${threshold}); last: ${last?.reason ?? 'no reading'}`, figure(''));
  }
  const idleAfterMs = firstIdle.atMs - criteria.loadEndedAtMs;
  return okRow(name, figure(`, idle ${formatSeconds(idleAfterMs)} after load`), `busy → idle seen (${threshold}); load: ${criteria.load.lastOutput || 'exit 0'}`);
}

export interface IdleRunDeps {
  readStatus: StatusReader;
  /** Starts the load; resolves when it has exited. */
  startLoad: () => Promise<LoadOutcome>;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  pollMs: number;
  gpuActivePercent: number;
  idleThresholdMs: number;
  /** How long to wait for idle after the load, beyond which the check fails. */
  idleTimeoutMs: number;
}

export async function runIdleCheck(deps: IdleRunDeps): Promise<CheckRow> {
  const observations: IdleObservation[] = [];
  const observe = async (phase: IdleObservation['phase']) => {
    const status = await deps.readStatus();
    const observation = { atMs: deps.now(), phase, utilizationPercent: maxUtilizationPercent(status), idle: status.idle.idle, reason: status.idle.reason };
    observations.push(observation);
    return observation;
  };
  await observe('before');
  const loadRun: { outcome: LoadOutcome | null } = { outcome: null };
  const loadDone = deps.startLoad().then((outcome) => {
    loadRun.outcome = outcome;
  });
  while (loadRun.outcome === null) {
    await observe('load');
    await Promise.race([deps.sleep(deps.pollMs), loadDone]);
  }
  const finished = loadRun.outcome;
  const loadEndedAtMs = deps.now();
  if (finished.exitCode === 0) {
    while (deps.now() - loadEndedAtMs <= deps.idleTimeoutMs) {
      if ((await observe('after')).idle) break;
      await deps.sleep(deps.pollMs);
    }
  }
  return judgeIdleRun(observations, { gpuActivePercent: deps.gpuActivePercent, idleThresholdMs: deps.idleThresholdMs, loadEndedAtMs, load: finished });
}

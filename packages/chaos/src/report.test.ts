import { describe, expect, it } from 'vitest';
import { compareCosts } from './cost-check';
import { IdempotencyLedger } from './idempotency';
import { defaultOptions } from './options';
import { finishResult, renderTable, type ChaosResult } from './report';

function result(overrides: Partial<Omit<ChaosResult, 'goals' | 'passed'>> = {}): ChaosResult {
  const { json: _json, verbose: _verbose, keep: _keep, ...parameters } = defaultOptions({ kills: 2, sessions: 3, seed: 42 });
  return finishResult({
    parameters: { ...parameters, graceMs: 5_500 },
    kills: 2,
    restarts: 2,
    serverDowntimeMs: 6_000,
    longestRestartMs: 4_000,
    sessions: { planned: 3, created: 3, viaCli: 1, refused: 0, refusals: [], endedByHarness: 3 },
    faultsInjected: { 'rate-limit': 1, 'server-error': 0, timeout: 1, 'create-errors-but-creates': 2, 'hanging-destroy': 0, vanish: 1 },
    faultInjectionFailures: [],
    orphans: 0,
    ghosts: 0,
    strict: { orphans: 1, ghosts: 0 },
    anomalies: [],
    mismatches: [],
    mismatchesSeen: 2,
    longestMismatchMs: 2_000,
    lastMismatchToClearMs: 1_500,
    samples: 100,
    cost: compareCosts(new Map([['s1', 0.01]]), [{ provider: 'vastai', instanceId: '1', label: 'gpu-shopper:d1:s1', totalUsd: 0.01 }], { deploymentId: 'd1' }),
    duplicates: new IdempotencyLedger().report([]),
    settled: true,
    settleMs: 12_000,
    leftover: { liveSessions: [], liveInstances: [] },
    durationMs: 80_000,
    workDir: null,
    ...overrides,
  });
}

describe('the report', () => {
  it('passes when every figure meets its goal, and prints the parameters and figures', () => {
    const passing = result();
    expect(passing.passed).toBe(true);
    const table = renderTable(passing);
    expect(table).toContain('seed 42, kills 2, sessions 3');
    expect(table).toMatch(/orphans\s+0 \(1 if provider outages are not excused\)/);
    expect(table).toMatch(/last orphan\/ghost cleared after\s+1\.5 s/);
    expect(table).toContain('PASS: every goal met.');
  });

  it('fails naming each missed goal', () => {
    const failing = result({
      orphans: 1,
      cost: compareCosts(new Map([['s1', 0.0102]]), [{ provider: 'vastai', instanceId: '1', label: 'gpu-shopper:d1:s1', totalUsd: 0.01 }], { deploymentId: 'd1' }),
      settled: false,
      leftover: { liveSessions: ['s1 (stopping)'], liveInstances: [] },
    });
    expect(failing.passed).toBe(false);
    expect(failing.goals.filter((goal) => !goal.met).map((goal) => goal.name)).toEqual(['orphans', 'max per-session cost error', 'total cost error', 'settled']);
    const table = renderTable(failing);
    expect(table).toContain('FAIL: missed orphans, max per-session cost error, total cost error, settled.');
    expect(table).toContain('Sessions over the per-session cost goal');
  });

  it('does not pass a run that had nothing to compare', () => {
    const empty = result({ cost: compareCosts(new Map(), [], { deploymentId: null }) });
    expect(empty.goals.find((goal) => goal.name === 'max per-session cost error')).toMatchObject({ met: false, value: 'no session to compare' });
    expect(empty.passed).toBe(false);
  });
});

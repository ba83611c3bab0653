import { describe, expect, it } from 'vitest';
import { peakCommitment, runBudgetCheck } from './budget-check';
import { freePort } from './free-port';
import { ShopperApi } from './shopper-api';

describe('peakCommitment', () => {
  it('finds no overshoot when the sessions held at once fit the limit', () => {
    const sessions = [0, 1, 2, 3].map((index) => ({ createdAtMs: index, endedAtMs: null, projectedUsd: 0.5 }));
    expect(peakCommitment(sessions, 2.25)).toEqual({ peakProjectedUsd: 2, peakSessions: 4, overshootUsd: 0, overCount: 0 });
  });

  it('measures the overshoot in dollars and sessions at the worst moment', () => {
    const sessions = [0, 1, 2, 3, 4, 5].map((index) => ({ createdAtMs: index, endedAtMs: null, projectedUsd: 0.5 }));
    const peak = peakCommitment(sessions, 2.25);
    expect(peak.peakSessions).toBe(6);
    expect(peak.overshootUsd).toBeCloseTo(0.75, 9);
    expect(peak.overCount).toBe(2);
  });

  it('lets a session take the place of one that ended before it was created', () => {
    const sessions = [
      { createdAtMs: 0, endedAtMs: 10, projectedUsd: 1 },
      { createdAtMs: 1, endedAtMs: null, projectedUsd: 1 },
      { createdAtMs: 10, endedAtMs: null, projectedUsd: 1 },
    ];
    expect(peakCommitment(sessions, 2.5)).toMatchObject({ peakSessions: 2, overshootUsd: 0, overCount: 0 });
    // Created a moment before the other ended: both were held, with the third.
    expect(peakCommitment([{ ...sessions[0]!, endedAtMs: 11 }, sessions[1]!, sessions[2]!], 2.5)).toMatchObject({ peakSessions: 3, overCount: 1 });
  });

  it('measures nothing for no session', () => {
    expect(peakCommitment([], 1)).toEqual({ peakProjectedUsd: 0, peakSessions: 0, overshootUsd: 0, overCount: 0 });
  });
});

describe('runBudgetCheck', () => {
  it('reports a check that could not run as a problem, not a pass', async () => {
    const api = new ShopperApi(`http://127.0.0.1:${await freePort()}`);
    const figures = await runBudgetCheck({ api, adminKey: 'admin', provider: 'vastai', provisions: 50, fits: 4, log: () => undefined });
    expect(figures.problem).toMatch(/^the check could not run: POST \/api\/v1\/admin\/keys: no answer/);
    expect(figures.accepted).toBe(0);
  });
});

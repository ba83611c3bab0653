// The chaos harness for real, short: simulators and server as processes, two SIGKILLs of the
// server, provider faults, a handful of sessions through REST and the CLI. On a miss the table (with
// the offending sessions and mismatches) is the failure message.
// What this short run holds, every time: no orphan, no ghost, no duplicate, everything settles, and
// the Vast.ai sessions' total is within 1% of Vast's bill (ended sessions are trued up to its
// charges; what never charging after a restart, or never charging a failed-over instance, looked like
// was 17-55%). TensorDock sessions are measured and printed but not held here: TensorDock has no
// billing to true them up to, and with five short sessions one instance that vanished while the
// server was down (dated halfway across the outage) swings the total by several percent. The goals
// of 1% per session and 0.5% in total are the full run's (`npm run chaos`, figures in the README).
import { afterAll, describe, expect, it } from 'vitest';
import { FAULT_KINDS } from './options';
import { renderTable } from './report';
import { runChaos } from './run-chaos';
import { terminateActiveRuns } from './supervisor';

afterAll(() => terminateActiveRuns());

describe('chaos (short run)', () => {
  it('survives 2 server kills and provider faults with no orphan, no ghost, no duplicate, and costs near the bill', { timeout: 300_000 }, async () => {
    const result = await runChaos({
      kills: 2,
      sessions: 5,
      cliSessions: 1,
      faults: [...FAULT_KINDS],
      durationSeconds: 40,
      lifetimeSeconds: { min: 40, max: 70 },
      downSeconds: { min: 0, max: 1 },
      faultSeconds: { min: 2, max: 5 },
      settleSeconds: 90,
      startTimeoutSeconds: 90,
    });
    const table = renderTable(result);
    expect(result.kills, table).toBe(2);
    expect(result.sessions.created, table).toBeGreaterThan(0);
    const held = ['orphans', 'ghosts', 'duplicate sessions', 'settled'];
    expect(result.goals.filter((goal) => held.includes(goal.name) && !goal.met).map((goal) => `${goal.name}: ${goal.value}`), table).toEqual([]);
    const vast = result.cost.byProvider.vastai;
    expect(vast?.relativeError ?? null, table).not.toBeNull();
    expect(vast!.relativeError!, table).toBeLessThan(0.01);
  });
});

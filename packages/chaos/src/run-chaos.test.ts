// The chaos harness for real, short: simulators and server as processes, two SIGKILLs of the
// server, provider faults, a handful of sessions through REST and the CLI. The figures must meet the
// goals; on a miss the table (with the offending sessions and mismatches) is the failure message.
// The sessions are on Vast.ai, whose per-instance charges the server reconciles and trues up to,
// so each session's cost is held to 1% here, reliably, on a loaded machine. TensorDock publishes
// no billing: its sessions are metered from observations alone (half a tick per state change,
// more when a fault slows the ticks), and `npm run chaos` with both providers reports how close
// that gets (README); its lifecycle under the same faults is covered by provider-truth.test.ts.
import { afterAll, describe, expect, it } from 'vitest';
import { FAULT_KINDS } from './options';
import { renderTable } from './report';
import { runChaos } from './run-chaos';
import { terminateActiveRuns } from './supervisor';

afterAll(() => terminateActiveRuns());

describe('chaos (short run)', () => {
  it('survives 2 server kills and provider faults with no orphan, no ghost, exact costs and no duplicate', { timeout: 300_000 }, async () => {
    const result = await runChaos({
      kills: 2,
      sessions: 5,
      cliSessions: 1,
      faults: [...FAULT_KINDS],
      providers: ['vastai'],
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
    expect(result.goals.filter((goal) => !goal.met).map((goal) => `${goal.name}: ${goal.value}`), table).toEqual([]);
    expect(result.passed).toBe(true);
  });
});

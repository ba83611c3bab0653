// Several replicas for real: three server processes on one PostgreSQL database (the machine's, or an
// embedded one where none answers), the simulators as their own process, sessions provisioned
// round-robin through every replica while a random replica is SIGKILLed and restarted every few
// seconds. Before the kills, 50 concurrent provisions spread over the replicas hit one consumer's
// blocking budget. Held, from measured figures: no orphan, no ghost, no duplicate session, every
// webhook event delivered exactly once, no budget overshoot, at least 99% of API requests answered
// by some replica, and everything settles. On a miss the table is the failure message.
import { afterAll, describe, expect, it } from 'vitest';
import { renderTable } from './report';
import { runChaos } from './run-chaos';
import { terminateActiveRuns } from './supervisor';

afterAll(() => terminateActiveRuns());

const HELD = [
  'orphans',
  'ghosts',
  'duplicate sessions',
  'webhook events delivered more than once',
  'webhook deliveries never received',
  'budget overshoot',
  'API requests answered',
  'settled',
];

describe('chaos with three replicas on PostgreSQL', () => {
  it('keeps every invariant while random replicas are killed, and the budget holds against concurrent provisions', { timeout: 360_000 }, async () => {
    const result = await runChaos({
      replicas: 3,
      database: 'postgres',
      kills: 4,
      sessions: 5,
      cliSessions: 0,
      faults: [],
      durationSeconds: 30,
      lifetimeSeconds: { min: 12, max: 25 },
      downSeconds: { min: 0, max: 2 },
      budgetProvisions: 50,
      // One: any two replicas taking their first provision at the same moment overshoot it, unless
      // the budget check is serialized across replicas.
      budgetFits: 1,
      settleSeconds: 90,
      startTimeoutSeconds: 120,
    });
    const table = renderTable(result);
    expect(result.replicas, table).toBe(3);
    expect(result.kills, table).toBe(4);
    expect(result.sessions.created, table).toBeGreaterThan(0);
    expect(result.budget?.accepted, table).toBeGreaterThan(0);
    // Every goal named here must be on the table: a renamed or dropped goal fails the test, not passes it.
    expect(result.goals.map((goal) => goal.name), table).toEqual(expect.arrayContaining(HELD));
    expect(result.goals.filter((goal) => HELD.includes(goal.name) && !goal.met).map((goal) => `${goal.name}: ${goal.value}`), table).toEqual([]);
  });
});

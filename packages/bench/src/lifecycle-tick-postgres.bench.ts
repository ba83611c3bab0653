// The deadline tick at 10,000 live sessions on PostgreSQL, as several replicas run it: under session
// leases, with the provider sync (listing 10,000 instances from both simulators under each
// provider's real request budget and retry waits, reconciling every session) and the orphan sweep
// running beside it as jobs of their own, until both have finished once. Goals: tick p99 < 100 ms
// and no event-loop stall over 50 ms meanwhile. The same tick with nothing beside it is the
// baseline. The simulators run in a worker thread: the providers' CPU is not ours.
import { randomBytes } from 'node:crypto';
import { ManualClock } from '@gpu-shopper/domain';
import { openDatabase, SessionEntity, type Orm } from '@gpu-shopper/db';
import { createDatabase, dropDatabase, findOrStartPostgres } from '@gpu-shopper/db/postgres-support';
import { SessionLeases } from '@gpu-shopper/services';
import { machineLoad, percentile, seedFleet, timedMs, verdict, watchEventLoop, type Fleet } from './lifecycle-fleet';

const SESSIONS = 10_000;
const TICKS = 40;
const GOAL_P99_MS = 100;
const GOAL_STALL_MS = 50;

export async function runLifecycleTickPostgresBench(): Promise<{ name: string; results: Record<string, number | string> }> {
  const server = await findOrStartPostgres();
  const database = `gs_bench_${randomBytes(4).toString('hex')}`;
  const clock = new ManualClock(new Date());
  let orm: Orm | null = null;
  let fleet: Fleet | null = null;
  try {
    orm = await openDatabase({ dbPath: ':memory:', databaseUrl: await createDatabase(server.adminUrl, database) });
    fleet = await seedFleet(orm, clock, SESSIONS, { simulators: 'worker' });
    const lifecycle = fleet.lifecycle(new SessionLeases({ orm, clock, owner: 'bench-replica', ttlMs: 60_000 }));
    const tick = async () => {
      clock.advance(1_000);
      return timedMs(() => lifecycle.runDeadlines());
    };
    // Planner statistics, as autovacuum keeps them on a table that grew to this size.
    await orm.em.fork().getConnection().execute('analyze sessions');
    const aloneLoop = watchEventLoop();
    const alone: number[] = [];
    for (let run = 0; run < TICKS; run += 1) alone.push(await tick());
    const aloneStallMs = aloneLoop.stop();

    // The server's three jobs, each on its own: the sync and the sweep (on the sync's listing) beside the ticks.
    const besideLoop = watchEventLoop();
    const syncMs = timedMs(() => lifecycle.syncWithProviders());
    const sweepMs = timedMs(() => lifecycle.runSweep(60_000));
    let finished = false;
    const both = Promise.all([syncMs, sweepMs]).finally(() => (finished = true));
    const withSync: number[] = [];
    while (withSync.length < TICKS || !finished) {
      withSync.push(await tick());
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const [syncTookMs, sweepTookMs] = await both;
    const besideStallMs = besideLoop.stop();
    const stillReady = await orm.em.fork().count(SessionEntity, { state: 'ready' });
    if (stillReady !== SESSIONS) throw new Error(`unexpected outcome: ${stillReady} of ${SESSIONS} still ready`);
    const p99 = percentile(withSync, 99);
    const aloneP99 = percentile(alone, 99);
    return {
      name: `lifecycle deadline tick: ${SESSIONS.toLocaleString('en')} ready sessions on PostgreSQL${server.embedded ? ' (embedded)' : ''}, session leases, provider sync and orphan sweep beside it (server request budgets)`,
      results: {
        'tick p50 ms, sync + sweep beside it': percentile(withSync, 50).toFixed(1),
        'tick p99 ms, sync + sweep beside it': p99.toFixed(1),
        'tick p99 ms, nothing beside it (baseline)': aloneP99.toFixed(1),
        'tick p99 ratio, beside / baseline': (p99 / aloneP99).toFixed(2),
        [`goal: tick p99 < ${GOAL_P99_MS} ms`]: verdict(p99 < GOAL_P99_MS),
        'longest event-loop stall ms, sync + sweep beside': besideStallMs.toFixed(1),
        'longest event-loop stall ms, ticks alone (baseline)': aloneStallMs.toFixed(1),
        [`goal: event-loop stall < ${GOAL_STALL_MS} ms`]: verdict(besideStallMs < GOAL_STALL_MS),
        'ticks measured (alone / beside)': `${alone.length} / ${withSync.length}`,
        'provider sync ms (listing under the request budget, reconcile)': syncTookMs.toFixed(0),
        'orphan sweep ms (on the sync listing)': sweepTookMs.toFixed(0),
        'seed ms': Math.round(fleet.seedMs),
        machine: machineLoad(),
      },
    };
  } finally {
    await orm?.close();
    await fleet?.close();
    await dropDatabase(server.adminUrl, database).catch(() => undefined);
    await server.stop();
  }
}

if (process.argv[1]?.endsWith('lifecycle-tick-postgres.bench.ts')) {
  const { name, results } = await runLifecycleTickPostgresBench();
  console.log(`## ${name}`);
  for (const [key, value] of Object.entries(results)) console.log(`  ${key}: ${value}`);
  process.exit(0);
}

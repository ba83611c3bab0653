// The deadline tick at 10,000 live sessions on PostgreSQL, as several replicas run it: under session
// leases, with the provider sync (listing 10,000 instances from both simulators, reconciling every
// session, the orphan sweep) running beside it the whole time. Goal: tick p99 under 100 ms. The
// same tick with nothing beside it is reported next to it. The simulators run in a worker thread:
// the providers' CPU is not ours.
import { randomBytes } from 'node:crypto';
import { ManualClock } from '@gpu-shopper/domain';
import { openDatabase, SessionEntity, type Orm } from '@gpu-shopper/db';
import { createDatabase, dropDatabase, findOrStartPostgres } from '@gpu-shopper/db/postgres-support';
import { SessionLeases } from '@gpu-shopper/services';
import { percentile, seedFleet, timedMs, type Fleet } from './lifecycle-fleet';

const SESSIONS = 10_000;
const TICKS = 40;
const GOAL_P99_MS = 100;

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
    await lifecycle.syncWithProviders(); // the first sync records every sighting
    // Planner statistics, as autovacuum keeps them on a table that grew to this size.
    await orm.em.fork().getConnection().execute('analyze sessions');
    const alone: number[] = [];
    for (let run = 0; run < TICKS; run += 1) alone.push(await tick());

    let syncing = true;
    const syncs: number[] = [];
    const beside = (async () => {
      while (syncing) syncs.push(await timedMs(() => lifecycle.syncWithProviders()));
    })();
    const withSync: number[] = [];
    try {
      // Ticks as the server schedules them, while the sync runs; at least one whole sync overlaps.
      while (withSync.length < TICKS || syncs.length < 1) {
        withSync.push(await tick());
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    } finally {
      syncing = false;
      await beside;
    }
    const stillReady = await orm.em.fork().count(SessionEntity, { state: 'ready' });
    if (stillReady !== SESSIONS) throw new Error(`unexpected outcome: ${stillReady} of ${SESSIONS} still ready`);
    const p99 = percentile(withSync, 99);
    return {
      name: `lifecycle deadline tick: ${SESSIONS.toLocaleString('en')} ready sessions on PostgreSQL${server.embedded ? ' (embedded)' : ''}, session leases, provider sync beside it`,
      results: {
        'tick p50 ms, sync running beside it': percentile(withSync, 50).toFixed(1),
        'tick p99 ms, sync running beside it': p99.toFixed(1),
        [`goal: p99 < ${GOAL_P99_MS} ms`]: p99 < GOAL_P99_MS ? 'met' : 'MISSED',
        'tick p50 ms, nothing beside it': percentile(alone, 50).toFixed(1),
        'tick p99 ms, nothing beside it': percentile(alone, 99).toFixed(1),
        'ticks measured (each)': `${alone.length} / ${withSync.length}`,
        'provider sync ms (listing 10,000 instances, reconcile, sweep), median': percentile(syncs, 50).toFixed(0),
        'provider syncs overlapped': syncs.length,
        'seed ms': Math.round(fleet.seedMs),
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

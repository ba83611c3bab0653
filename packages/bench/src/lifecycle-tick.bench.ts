// The deadline tick at 50,000 live sessions (SQLite file, the one-replica mode) when 1,000 agents'
// heartbeats lapse at once: each is announced (alert, webhook outbox) in batches. Goal: that tick
// under 1 s. Baseline in the same run: the tick with nothing due, and the tick after (those 1,000
// announced already, so nothing is read again). Before it, one warm-up tick announces 100 lapses
// that were due when the fleet was seeded: the announcing code runs warm, as in a server that has
// announced lapses before (cold, in a process that has run nothing else, the same tick took up to
// 1 s of which the JIT's first compiles were a good part; after the other benchmarks, 0.5-0.6 s).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, MS_PER_MINUTE } from '@gpu-shopper/domain';
import { AlertEntity, openDatabase } from '@gpu-shopper/db';
import { machineLoad, seedFleet, timedMs, verdict, watchEventLoop, type Fleet } from './lifecycle-fleet';

const SESSIONS = 50_000;
const LAPSING = 1_000;
/** Due already when seeded, announced by the warm-up tick (one deadline batch). */
const WARM_UP_LAPSES = 100;
const GOAL_MS = 1_000;
/** The server's default: no heartbeat for this long from a ready node is announced. */
const HEARTBEAT_LOSS_MS = 5 * MS_PER_MINUTE;

export async function runLifecycleTickBench(): Promise<{ name: string; results: Record<string, number | string> }> {
  const clock = new ManualClock(new Date());
  const orm = await openDatabase({ dbPath: join(mkdtempSync(join(tmpdir(), 'gpu-shopper-tick-')), 'db.sqlite') });
  let fleet: Fleet | null = null;
  try {
    // One session in every fifty (1,000, spread over the fleet) last heard from just short of the
    // limit; 100 others past it already (the warm-up's); the rest just now.
    const step = Math.floor(SESSIONS / LAPSING);
    const silentForMs = (index: number) => (index % step === 0 ? HEARTBEAT_LOSS_MS - 1_000 : index % step === 1 && index < WARM_UP_LAPSES * step ? HEARTBEAT_LOSS_MS + 1_000 : 0);
    fleet = await seedFleet(orm, clock, SESSIONS, { instances: false, lastHeartbeatAt: (index, now) => new Date(now.getTime() - silentForMs(index)) });
    const lifecycle = fleet.lifecycle();
    await lifecycle.runDeadlines(); // warm: statements prepared, pages cached, the warm-up's lapses announced
    const announcedBefore = await orm.em.fork().count(AlertEntity, { kind: 'heartbeat_lost' });
    if (announcedBefore !== WARM_UP_LAPSES) throw new Error(`unexpected warm-up: ${announcedBefore} of ${WARM_UP_LAPSES} lapses announced`);
    const quietMs = await timedMs(() => lifecycle.runDeadlines());
    clock.advance(2_000); // the 1,000 lapse together
    const loop = watchEventLoop();
    const lapseMs = await timedMs(() => lifecycle.runDeadlines());
    const stallMs = loop.stop();
    const announced = (await orm.em.fork().count(AlertEntity, { kind: 'heartbeat_lost' })) - WARM_UP_LAPSES;
    if (announced !== LAPSING) throw new Error(`unexpected outcome: ${announced} of ${LAPSING} lapses announced`);
    clock.advance(2_000);
    const afterMs = await timedMs(() => lifecycle.runDeadlines());
    if ((await orm.em.fork().count(AlertEntity, { kind: 'heartbeat_lost' })) !== WARM_UP_LAPSES + LAPSING) throw new Error('a lapse was announced twice');
    return {
      name: `lifecycle deadline tick: ${SESSIONS.toLocaleString('en')} ready sessions (SQLite file), ${LAPSING.toLocaleString('en')} heartbeats lapsing at once`,
      results: {
        [`tick ms, ${LAPSING.toLocaleString('en')} lapses announced`]: lapseMs.toFixed(0),
        'tick ms, nothing due (baseline)': quietMs.toFixed(1),
        'tick ms, the one after (nothing read again)': afterMs.toFixed(1),
        'lapse tick ratio, / baseline': (lapseMs / quietMs).toFixed(1),
        [`goal: lapse tick < ${GOAL_MS} ms`]: verdict(lapseMs < GOAL_MS),
        'longest event-loop stall ms during the lapse tick': stallMs.toFixed(1),
        'seed ms': Math.round(fleet.seedMs),
        machine: machineLoad(),
      },
    };
  } finally {
    await orm.close();
    await fleet?.close();
  }
}

if (process.argv[1]?.endsWith('lifecycle-tick.bench.ts')) {
  const { name, results } = await runLifecycleTickBench();
  console.log(`## ${name}`);
  for (const [key, value] of Object.entries(results)) console.log(`  ${key}: ${value}`);
  process.exit(0);
}

// One lifecycle tick over 10,000 ready sessions in a SQLite file, with the provider sweep listing
// their 10,000 instances from both simulators over HTTP (Vast pages of 25, TensorDock in one answer).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@gpu-shopper/domain';
import { openDatabase, SessionEntity } from '@gpu-shopper/db';
import type { LifecycleManager } from '@gpu-shopper/services';
import { seedFleet, timedMs, type Fleet } from './lifecycle-fleet';

const SESSIONS = 10_000;

export async function runLifecycleTickBench(): Promise<{ name: string; results: Record<string, number | string> }> {
  const clock = new ManualClock(new Date());
  const orm = await openDatabase({ dbPath: join(mkdtempSync(join(tmpdir(), 'gpu-shopper-tick-')), 'db.sqlite') });
  let fleet: Fleet | null = null;
  try {
    fleet = await seedFleet(orm, clock, SESSIONS);
    const lifecycle = fleet.lifecycle();
    const timed = async (run: () => Promise<unknown>) => Math.round(await timedMs(run));
    clock.advance(1_000);
    const firstTickMs = await timed(() => lifecycle.tick()); // the first tick sweeps
    clock.advance(1_000);
    const nextTickMs = await timed(() => lifecycle.tick());
    clock.advance(1_000);
    // What a tick does before it lists the providers: reservation ends, idle nodes, heartbeat loss.
    const deadlinesMs = await timed(async () => {
      await lifecycle.enforceReservations();
      await lifecycle.actOnIdleNodes();
      await lifecycle.detectHeartbeatLoss();
    });
    let sweepReports: Awaited<ReturnType<LifecycleManager['sweepProviders']>> = [];
    const sweepMs = await timed(async () => {
      sweepReports = await lifecycle.sweepProviders();
    });
    const listed = sweepReports.reduce((sum, report) => sum + report.listed, 0);
    const orphans = sweepReports.reduce((sum, report) => sum + report.orphansDestroyed.length, 0);
    const stillReady = await orm.em.fork().count(SessionEntity, { state: 'ready' });
    if (orphans !== 0 || stillReady !== SESSIONS || listed !== SESSIONS) throw new Error(`unexpected outcome: ${orphans} orphans, ${stillReady} ready, ${listed} listed`);
    return {
      name: `lifecycle tick: ${SESSIONS.toLocaleString('en')} ready sessions (SQLite file), sweep against both simulators`,
      results: {
        'first tick ms (listing, every session reconciled, sweep)': firstTickMs,
        'next tick ms (the same, nothing changed)': nextTickMs,
        'deadline jobs alone ms (run before the listing)': deadlinesMs,
        'sweep alone ms (listing included)': sweepMs,
        'instances listed': listed,
        'seed ms': Math.round(fleet.seedMs),
      },
    };
  } finally {
    await orm.close();
    await fleet?.close();
  }
}

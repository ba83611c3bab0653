// The server's deaths: SIGKILL of one replica (drawn at random when there are several) at planned
// moments of the chaos phase (some timed to land just after a create was answered, while the provider
// call it started is in flight), a pause, a restart on the same port and database, then a few creates
// replayed with their original idempotency keys.
import type { ChaosOptions } from './options';
import type { Random } from './random';
import type { ReplicaSet } from './replica-set';
import type { ServerProcess } from './server-process';
import type { Interval } from './intervals';
import { sleep } from './sleep';

export interface PlannedKill {
  offsetMs: number;
  /** Wait (briefly) for a create to be answered and kill right after it. */
  afterCreate: boolean;
}

/** Least time the server is up between a restart and the next kill. */
const MIN_UPTIME_MS = { min: 500, max: 3_000 };
/** How long a create-timed kill waits for a create before it kills anyway. */
const CREATE_WAIT_MS = 10_000;
/** After the create answered: the provider create is under way in this window. */
const AFTER_CREATE_MS = { min: 0, max: 400 };

/** Kill offsets within the chaos phase (5% to 95% of it), sorted; about a third timed on a create. */
export function planKills(options: Pick<ChaosOptions, 'kills' | 'durationSeconds'>, random: Random): PlannedKill[] {
  const durationMs = options.durationSeconds * 1000;
  return [...Array(options.kills).keys()]
    .map(() => ({ offsetMs: Math.round(random.between(0.05, 0.95) * durationMs), afterCreate: random.chance(0.35) }))
    .sort((a, b) => a.offsetMs - b.offsetMs);
}

export interface KillDeps {
  replicas: ReplicaSet;
  random: Random;
  downSeconds: ChaosOptions['downSeconds'];
  /** Resolves when the next create is answered (or after the timeout). */
  nextCreateAnswered(timeoutMs: number): Promise<boolean>;
  /** Runs after each restart (the replays). */
  afterRestart(): Promise<void>;
  log(line: string): void;
  /**
   * Several replicas: which ones hold a provider sync's lease (one per provider). Killing one leaves
   * its provider unwatched until it is back or another replica takes the lease over (`syncLeaseMs`):
   * each such window is added to `syncBlind`.
   */
  syncWatch?: { holders(): Promise<string[]>; syncLeaseMs: number; syncBlind: Interval[] };
}

/** Carries out the plan from `startMs`; returns how many kills were made. */
export async function runKills(plan: readonly PlannedKill[], startMs: number, deps: KillDeps): Promise<number> {
  const { replicas, random, log } = deps;
  let kills = 0;
  for (const kill of plan) {
    await sleep(Math.max(startMs + kill.offsetMs - Date.now(), random.inRange(MIN_UPTIME_MS)));
    let timing = 'at a random moment';
    if (kill.afterCreate && (await deps.nextCreateAnswered(CREATE_WAIT_MS))) {
      const delayMs = random.inRange(AFTER_CREATE_MS);
      await sleep(delayMs);
      timing = `${Math.round(delayMs)} ms after a create was answered`;
    }
    const server = replicas.pickVictim(random);
    const watch = deps.syncWatch;
    const heldSync = watch !== undefined && server.replicaId !== undefined && (await watch.holders().catch((): string[] => [])).includes(server.replicaId);
    const killedAtMs = Date.now();
    await server.kill();
    kills += 1;
    log(`kill ${kills}/${plan.length}: ${server.name} SIGKILLed ${timing}`);
    await sleep(random.inRange(deps.downSeconds) * 1000);
    await startWithOneRetry(server, log);
    const down = server.downtimes.at(-1)!;
    log(`${server.name} restarted (down ${((down.toMs! - down.fromMs) / 1000).toFixed(1)} s)${heldSync ? '; it held the provider sync' : ''}`);
    if (heldSync) watch.syncBlind.push({ fromMs: killedAtMs, toMs: Math.min(down.toMs!, killedAtMs + watch.syncLeaseMs) });
    await deps.afterRestart();
  }
  return kills;
}

/**
 * A server that exited while starting (a crash in recovery) gets one more start; one that is still
 * running but never announced itself within the start timeout fails the run (it is hung).
 */
async function startWithOneRetry(server: ServerProcess, log: (line: string) => void): Promise<void> {
  try {
    await server.start();
  } catch (error) {
    if (server.isRunning()) throw error;
    log(`restart failed, trying once more: ${(error as Error).message.split('\n')[0]}`);
    await server.start();
  }
}

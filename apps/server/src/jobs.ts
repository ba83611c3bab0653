// The server's scheduled jobs (toad-scheduler). Each is idempotent, forks its own entity manager,
// never overlaps itself, and logs instead of crashing: a failed run is simply run again later.
// Every run is counted in an InFlightWork, so shutdown can stop the schedule, wait for the run in
// progress and only then close the database.
import { PROVIDER_NAMES, type ProviderName } from '@gpu-shopper/domain';
import { AsyncTask, SimpleIntervalJob, ToadScheduler } from 'toad-scheduler';
import { InFlightWork, ShuttingDownError } from './in-flight';
import type { Logger } from './logger';

export interface ScheduledJob {
  id: string;
  everyMs: number;
  /**
   * Also run once at start. For the orphan sweep: a server restarted more often than its interval
   * (a crash loop, a rolling deploy) would otherwise never sweep. Not for jobs that spend a
   * provider's request budget (billing reconciliation): a restart must not crowd out the listings.
   */
  runAtStart?: boolean;
  run(): Promise<unknown>;
}

/** The lifecycle's three jobs, as the server schedules them. */
export interface LifecycleJobRunner {
  runDeadlines(): Promise<void>;
  syncWithProviders(provider: ProviderName): Promise<void>;
  runSweep(maxListingAgeMs?: number): Promise<void>;
}

/**
 * The deadline tick, one provider sync per provider and the orphan sweep on timers of their own: a
 * listing that takes a minute under a provider's request budget never delays a reservation's end, a
 * heartbeat check, or what the other provider's listing shows. Every provider gets its job (one
 * without a key skips its runs): a key configured at run time is watched without a restart. The
 * sweep reads the syncs' listings when they are no older than the sweep's own interval. Each id is
 * also the name of the job's lease when several replicas run.
 */
export function lifecycleJobs(lifecycle: LifecycleJobRunner, intervals: { tickMs: number; sweepMs: number }): ScheduledJob[] {
  return [
    { id: 'lifecycle', everyMs: intervals.tickMs, run: () => lifecycle.runDeadlines() },
    ...PROVIDER_NAMES.map((provider) => ({ id: providerSyncJobId(provider), everyMs: intervals.tickMs, run: () => lifecycle.syncWithProviders(provider) })),
    { id: 'orphan-sweep', everyMs: intervals.sweepMs, runAtStart: true, run: () => lifecycle.runSweep(intervals.sweepMs) },
  ];
}

/** The provider sync's job (and lease) for one provider. */
export function providerSyncJobId(provider: ProviderName): string {
  return `provider-sync:${provider}`;
}

export interface RunningJobs {
  /** Where the runs are counted (shared with whatever else shutdown must wait for). */
  inFlight: InFlightWork;
  /** No run starts after this; runs in progress carry on (wait for them with `inFlight.idle`). */
  stop(): void;
}

export function startJobs(jobs: readonly ScheduledJob[], logger: Logger, inFlight = new InFlightWork()): RunningJobs {
  const scheduler = new ToadScheduler();
  let stopped = false;
  for (const job of jobs) {
    // The handler never rejects and never throws: a job that throws (even synchronously, or with
    // something that is not an Error) is logged here, so nothing reaches toad-scheduler's own error
    // path or the process as an unhandled rejection.
    const runOnce = async () => {
      if (stopped) return;
      try {
        await inFlight.run(`job ${job.id}`, () => job.run());
      } catch (error) {
        if (error instanceof ShuttingDownError) return;
        safeLog(logger, `job ${job.id} failed (it runs again on schedule): ${describeError(error)}`);
      }
    };
    const task = new AsyncTask(job.id, runOnce, () => undefined);
    scheduler.addSimpleIntervalJob(new SimpleIntervalJob({ milliseconds: job.everyMs, runImmediately: job.runAtStart === true }, task, { id: job.id, preventOverrun: true }));
  }
  return {
    inFlight,
    stop: () => {
      stopped = true;
      scheduler.stop();
    },
  };
}

/** A thrown value as one line for the log: an Error's message, a string as is, anything else by its type only (it may hold secrets). */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  return `a thrown ${error === null ? 'null' : typeof error}`;
}

function safeLog(logger: Logger, message: string): void {
  try {
    logger.error(message);
  } catch {
    // A broken log stream must not take the scheduler (or the process) down with it.
  }
}

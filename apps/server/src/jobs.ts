// The server's scheduled jobs (toad-scheduler). Each is idempotent, forks its own entity manager,
// never overlaps itself, and logs instead of crashing: a failed run is simply run again later.
import { AsyncTask, SimpleIntervalJob, ToadScheduler } from 'toad-scheduler';
import type { Logger } from './logger';

export interface ScheduledJob {
  id: string;
  everyMs: number;
  run(): Promise<unknown>;
}

export function startJobs(jobs: readonly ScheduledJob[], logger: Logger): { stop(): void } {
  const scheduler = new ToadScheduler();
  for (const job of jobs) {
    const task = new AsyncTask(job.id, () => job.run(), (error) => logger.error(`job ${job.id} failed (it runs again on schedule): ${error.message}`));
    scheduler.addSimpleIntervalJob(new SimpleIntervalJob({ milliseconds: job.everyMs }, task, { id: job.id, preventOverrun: true }));
  }
  return { stop: () => scheduler.stop() };
}

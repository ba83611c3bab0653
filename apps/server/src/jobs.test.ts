// Scheduled jobs: a job that throws (synchronously, or with something that is not an Error) is
// logged and runs again, never reaching the process; stopping leaves a run in progress to finish.
import { describe, expect, it } from 'vitest';
import { describeError, lifecycleJobs, startJobs } from './jobs';
import type { Logger } from './logger';

const TIMEOUT_MS = 30_000;

function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${m}`) };
}

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('scheduled jobs', () => {
  it(
    'logs every kind of throwing job and runs it again; a broken logger does not matter either',
    async () => {
      const logger = memoryLogger();
      const runs = { sync: 0, nothing: 0, rejected: 0 };
      const jobs = startJobs(
        [
          {
            id: 'sync',
            everyMs: 10,
            run: () => {
              runs.sync += 1;
              throw new Error('thrown before any promise');
            },
          },
          {
            id: 'nothing',
            everyMs: 10,
            run: () => {
              runs.nothing += 1;
              return Promise.reject(undefined); // not an Error: the point of the test
            },
          },
          {
            id: 'rejected',
            everyMs: 10,
            run: async () => {
              runs.rejected += 1;
              throw new Error('api_key=sk-should-not-matter');
            },
          },
        ],
        logger,
      );
      const broken = startJobs(
        [{ id: 'broken-logger', everyMs: 10, run: () => Promise.reject(new Error('x')) }],
        {
          info: () => {},
          warn: () => {},
          error: () => {
            throw new Error('log stream gone');
          },
        },
      );
      try {
        await until(() => runs.sync >= 2 && runs.nothing >= 2 && runs.rejected >= 2, 'two runs of each job');
      } finally {
        jobs.stop();
        broken.stop();
      }
      expect(logger.lines).toContain('error job sync failed (it runs again on schedule): thrown before any promise');
      expect(logger.lines).toContain('error job nothing failed (it runs again on schedule): a thrown undefined');
      expect(logger.lines.some((line) => line.startsWith('error job rejected failed'))).toBe(true);
    },
    TIMEOUT_MS,
  );

  it(
    'stop() starts no new run; the run in progress finishes and can be waited for',
    async () => {
      let release!: () => void;
      const finishes = new Promise<void>((resolve) => (release = resolve));
      let started = 0;
      let finished = 0;
      const jobs = startJobs(
        [
          {
            id: 'tick',
            everyMs: 10,
            run: async () => {
              started += 1;
              await finishes;
              finished += 1;
            },
          },
        ],
        memoryLogger(),
      );
      await until(() => started === 1, 'the first run');
      jobs.stop();
      expect(jobs.inFlight.names).toEqual(['job tick']);
      expect(await jobs.inFlight.idle(20)).toEqual(['job tick']); // still running after 20 ms
      const idle = jobs.inFlight.idle(10_000);
      release();
      expect(await idle).toEqual([]);
      expect(finished).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(started).toBe(1);
    },
    TIMEOUT_MS,
  );

  it('runs a job marked for it once at start, not only after its first interval (a server restarted often still sweeps)', async () => {
    const runs = { atStart: 0, later: 0 };
    const jobs = startJobs(
      [
        { id: 'hourly-at-start', everyMs: 3_600_000, runAtStart: true, run: async () => void (runs.atStart += 1) },
        { id: 'hourly', everyMs: 3_600_000, run: async () => void (runs.later += 1) },
      ],
      memoryLogger(),
    );
    try {
      await until(() => runs.atStart === 1, 'the run at start');
      expect(runs.later).toBe(0);
    } finally {
      jobs.stop();
    }
    expect(lifecycleJobs({ runDeadlines: async () => {}, syncWithProviders: async () => {}, runSweep: async () => {} }, { tickMs: 1, sweepMs: 1 }).filter((job) => job.runAtStart).map((job) => job.id)).toEqual(['orphan-sweep']);
  });

  it('schedules the deadline tick, a provider sync per provider and the orphan sweep as jobs of their own', async () => {
    const calls: string[] = [];
    const jobs = lifecycleJobs(
      {
        runDeadlines: async () => void calls.push('deadlines'),
        syncWithProviders: async (provider) => void calls.push(`sync ${provider}`),
        runSweep: async (maxListingAgeMs) => void calls.push(`sweep ${maxListingAgeMs}`),
      },
      { tickMs: 15_000, sweepMs: 60_000 },
    );
    expect(jobs.map((job) => [job.id, job.everyMs])).toEqual([
      ['lifecycle', 15_000],
      ['provider-sync:vastai', 15_000],
      ['provider-sync:tensordock', 15_000],
      ['orphan-sweep', 60_000],
    ]);
    for (const job of jobs) await job.run();
    // The sweep reads listings the syncs fetched within its own interval.
    expect(calls).toEqual(['deadlines', 'sync vastai', 'sync tensordock', 'sweep 60000']);
  });

  it('describes thrown values without printing objects', () => {
    expect(describeError(new Error('boom'))).toBe('boom');
    expect(describeError('plain')).toBe('plain');
    expect(describeError({ apiKey: 'secret' })).toBe('a thrown object');
    expect(describeError(null)).toBe('a thrown null');
  });
});

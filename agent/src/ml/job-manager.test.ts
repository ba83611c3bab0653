import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { ActivityTracker } from '../activity/activity-tracker';
import { systemClock } from '../clock';
import { JobManager, JobNotFoundError, JobNotRunningError } from './job-manager';
import type { JobStatus } from './job-manager';

// A training stand-in: echoes stdin, checkpoints on SIGUSR1, exits 0 on SIGTERM (after cleanup).
// It says `ready` only once its handlers are installed: a signal sent earlier would kill it.
const TRAINER = `
process.on('SIGUSR1', () => process.stdout.write('checkpoint saved\\n'));
process.on('SIGTERM', () => { process.stdout.write('terminating\\n'); process.exit(0); });
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => process.stdout.write('got ' + d));
setInterval(() => {}, 1000);
process.stdout.write('ready\\n');
`;
const STUBBORN = `process.on('SIGTERM', () => process.stdout.write('ignoring\\n')); process.stdout.write('ready\\n'); setInterval(() => {}, 1000);`;

const waitFor = async (condition: () => boolean, timeoutMs = 5000) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe('job manager', () => {
  const activity = new ActivityTracker(systemClock);
  const jobs = new JobManager({ spawn, clock: systemClock, activity, baseEnv: { ...process.env, GPU_SHOPPER_NODE_TOKEN: 'secret', CONTAINER_API_KEY: 'key' } });
  const text = (jobId: string) => jobs.logs(jobId, 100).map((line) => line.text);
  afterEach(() => jobs.stopAll(200));

  it('starts, signals, writes stdin, stops with SIGTERM and keeps the exit code', async () => {
    const job = jobs.start({ argv: [process.execPath, '-e', TRAINER], cwd: tmpdir() });
    expect(job.state).toBe('running');
    await waitFor(() => text(job.jobId).includes('ready'));
    jobs.signal(job.jobId, 'SIGUSR1');
    await waitFor(() => text(job.jobId).includes('checkpoint saved'));
    jobs.writeStdin(job.jobId, 'hello');
    await waitFor(() => text(job.jobId).includes('got hello'));
    const stopped = await jobs.stop(job.jobId, 2000);
    expect(stopped).toMatchObject({ state: 'exited', exitCode: 0 });
    expect(text(job.jobId)).toContain('terminating');
    expect(jobs.status(job.jobId).endedAt).not.toBeNull();
  });

  it('SIGKILLs a job that ignores SIGTERM after the grace', async () => {
    const job = jobs.start({ argv: [process.execPath, '-e', STUBBORN], cwd: tmpdir() });
    await waitFor(() => text(job.jobId).includes('ready'));
    const started = Date.now();
    const stopped = await jobs.stop(job.jobId, 300);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(stopped).toMatchObject({ state: 'exited', exitSignal: 'SIGKILL' });
  });

  it('keeps exit codes, stderr and env; hides the agent secrets', async () => {
    const script = `console.error('oops'); console.log(process.env.EXTRA, process.env.GPU_SHOPPER_NODE_TOKEN ?? 'no-token', process.env.CONTAINER_API_KEY ?? 'no-key'); process.exit(3)`;
    const job = jobs.start({ argv: [process.execPath, '-e', script], cwd: tmpdir(), env: { EXTRA: 'extra' } });
    await waitFor(() => jobs.status(job.jobId).state !== 'running');
    expect(jobs.status(job.jobId).exitCode).toBe(3);
    const lines = jobs.logs(job.jobId, 10);
    expect(lines.find((line) => line.stream === 'stderr')?.text).toBe('oops');
    expect(lines.find((line) => line.stream === 'stdout')?.text).toBe('extra no-token no-key');
  });

  it('follows logs live until exit', async () => {
    const job = jobs.start({ argv: [process.execPath, '-e', `let n=0; const t=setInterval(()=>{console.log('step '+n++); if(n===3){clearInterval(t)}},30)`], cwd: tmpdir() });
    const seen: string[] = [];
    const exit = await new Promise<JobStatus>((resolve) => jobs.follow(job.jobId, 10, (line) => seen.push(line.text), resolve));
    expect(seen).toEqual(['step 0', 'step 1', 'step 2']);
    expect(exit.exitCode).toBe(0);
  });

  it('reports a program that cannot start as failed', async () => {
    const job = jobs.start({ argv: ['/definitely/not/a/program'], cwd: tmpdir() });
    await waitFor(() => jobs.status(job.jobId).state !== 'running');
    expect(jobs.status(job.jobId)).toMatchObject({ state: 'failed' });
  });

  it('refuses unknown jobs and commands to finished ones', async () => {
    expect(() => jobs.status('job_nope')).toThrow(JobNotFoundError);
    const job = jobs.start({ argv: [process.execPath, '-e', ''], cwd: tmpdir() });
    await waitFor(() => jobs.status(job.jobId).state !== 'running');
    expect(() => jobs.signal(job.jobId, 'SIGUSR1')).toThrow(JobNotRunningError);
    expect(() => jobs.writeStdin(job.jobId, 'x')).toThrow(JobNotRunningError);
  });
});

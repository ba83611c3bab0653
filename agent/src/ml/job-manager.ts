// Runs ML training (or any) processes for the user: start, stop with a grace, signal, stdin, status, logs.
// Jobs belong to the agent, not to the request that started them, so they survive client disconnects.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { ChildProcess, spawn as nodeSpawn } from 'node:child_process';
import type { ActivityTracker } from '../activity/activity-tracker';
import type { Clock } from '../clock';
import { SECRET_ENV_NAMES } from '../config';
import { LogBuffer } from './log-buffer';
import type { LogLine } from './log-buffer';

export type SpawnFn = typeof nodeSpawn;

export const JOB_SIGNALS = ['SIGTERM', 'SIGKILL', 'SIGINT', 'SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGCONT', 'SIGSTOP', 'SIGQUIT'] as const;
export type JobSignal = (typeof JOB_SIGNALS)[number];

export interface JobStatus {
  jobId: string;
  argv: string[];
  cwd: string;
  pid: number | null;
  state: 'running' | 'exited' | 'failed';
  startedAt: string;
  endedAt: string | null;
  exitCode: number | null;
  exitSignal: string | null;
  error: string | null;
}

interface Job {
  status: JobStatus;
  child: ChildProcess;
  logs: LogBuffer;
  exited: Promise<void>;
  events: EventEmitter<{ exit: [JobStatus] }>;
}

export class JobNotFoundError extends Error {
  constructor(jobId: string) {
    super(`No job ${jobId}`);
    this.name = 'JobNotFoundError';
  }
}

export class JobNotRunningError extends Error {
  constructor(jobId: string) {
    super(`Job ${jobId} is not running`);
    this.name = 'JobNotRunningError';
  }
}

export interface JobManagerOptions {
  spawn: SpawnFn;
  clock: Clock;
  activity: ActivityTracker;
  /** Environment every job starts from (the agent's own, minus its secrets). */
  baseEnv: Record<string, string | undefined>;
  maxLogLines?: number;
  maxJobsKept?: number;
}

export class JobManager {
  private readonly jobs = new Map<string, Job>();

  constructor(private readonly options: JobManagerOptions) {}

  start(request: { argv: string[]; env?: Record<string, string>; cwd: string }): JobStatus {
    const { clock, activity } = this.options;
    const [command, ...args] = request.argv;
    if (!command) throw new Error('argv must not be empty');
    const env: Record<string, string | undefined> = { ...this.options.baseEnv, ...request.env };
    for (const name of SECRET_ENV_NAMES) delete env[name];
    const jobId = `job_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
    // detached: the job leads its own process group, so stop/signal reach the workers it forks.
    const child = this.options.spawn(command, args, { cwd: request.cwd, env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    const status: JobStatus = {
      jobId,
      argv: request.argv,
      cwd: request.cwd,
      pid: child.pid ?? null,
      state: 'running',
      startedAt: clock.now().toISOString(),
      endedAt: null,
      exitCode: null,
      exitSignal: null,
      error: null,
    };
    const logs = new LogBuffer(this.options.maxLogLines ?? 5000, () => clock.now());
    const events = new EventEmitter<{ exit: [JobStatus] }>();
    events.setMaxListeners(100);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => logs.write('stdout', chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => logs.write('stderr', chunk));
    // A job that closed its stdin must not crash the agent when someone writes to it.
    child.stdin?.on('error', () => {});
    const exited = new Promise<void>((resolve) => {
      const finish = (exitCode: number | null, exitSignal: string | null, error: string | null) => {
        if (status.state !== 'running') return;
        logs.flush();
        status.state = error ? 'failed' : 'exited';
        status.exitCode = exitCode;
        status.exitSignal = exitSignal;
        status.error = error;
        status.endedAt = clock.now().toISOString();
        activity.record('jobEvents');
        events.emit('exit', status);
        resolve();
      };
      child.once('error', (error) => finish(null, null, error.message));
      child.once('close', (code, signal) => finish(code, signal, null));
    });
    this.jobs.set(jobId, { status, child, logs, exited, events });
    activity.record('jobEvents');
    this.forgetOldJobs();
    return { ...status };
  }

  status(jobId: string): JobStatus {
    return { ...this.get(jobId).status };
  }

  list(): JobStatus[] {
    return [...this.jobs.values()].map((job) => ({ ...job.status }));
  }

  runningCount(): number {
    return [...this.jobs.values()].filter((job) => job.status.state === 'running').length;
  }

  signal(jobId: string, signal: JobSignal): JobStatus {
    const job = this.requireRunning(jobId);
    this.killGroup(job, signal);
    this.options.activity.record('jobEvents');
    return { ...job.status };
  }

  writeStdin(jobId: string, line: string): JobStatus {
    const job = this.requireRunning(jobId);
    if (!job.child.stdin || job.child.stdin.destroyed) throw new JobNotRunningError(jobId);
    job.child.stdin.write(line.endsWith('\n') ? line : `${line}\n`);
    this.options.activity.record('jobEvents');
    return { ...job.status };
  }

  /** SIGTERM to the job's process group, SIGKILL after the grace; resolves once it has exited. */
  async stop(jobId: string, graceMs: number): Promise<JobStatus> {
    const job = this.get(jobId);
    if (job.status.state !== 'running') return { ...job.status };
    this.options.activity.record('jobEvents');
    this.killGroup(job, 'SIGTERM');
    const timer = setTimeout(() => this.killGroup(job, 'SIGKILL'), graceMs);
    await job.exited;
    clearTimeout(timer);
    return { ...job.status };
  }

  async stopAll(graceMs: number): Promise<void> {
    await Promise.all(this.list().filter((job) => job.state === 'running').map((job) => this.stop(job.jobId, graceMs)));
  }

  logs(jobId: string, tailLines: number): LogLine[] {
    return this.get(jobId).logs.tail(tailLines);
  }

  /** Past lines then live ones until the job exits; returns an unsubscribe function. */
  follow(jobId: string, tailLines: number, onLine: (line: LogLine) => void, onExit: (status: JobStatus) => void): () => void {
    const job = this.get(jobId);
    for (const line of job.logs.tail(tailLines)) onLine(line);
    if (job.status.state !== 'running') {
      onExit({ ...job.status });
      return () => {};
    }
    const exitListener = (status: JobStatus) => onExit({ ...status });
    job.logs.on('line', onLine);
    job.events.once('exit', exitListener);
    return () => {
      job.logs.off('line', onLine);
      job.events.off('exit', exitListener);
    };
  }

  private get(jobId: string): Job {
    const job = this.jobs.get(jobId);
    if (!job) throw new JobNotFoundError(jobId);
    return job;
  }

  private requireRunning(jobId: string): Job {
    const job = this.get(jobId);
    if (job.status.state !== 'running') throw new JobNotRunningError(jobId);
    return job;
  }

  private killGroup(job: Job, signal: JobSignal): void {
    const pid = job.child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // The group may be gone already or the job may not lead one; fall back to the process itself.
      try {
        job.child.kill(signal);
      } catch {
        /* already exited */
      }
    }
  }

  private forgetOldJobs(): void {
    const maxKept = this.options.maxJobsKept ?? 200;
    for (const [jobId, job] of this.jobs) {
      if (this.jobs.size <= maxKept) break;
      if (job.status.state !== 'running') this.jobs.delete(jobId);
    }
  }
}

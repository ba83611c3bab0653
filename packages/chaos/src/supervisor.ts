// Process supervision: starts TypeScript entry points through tsx as child processes, waits for the
// lines they announce themselves with, keeps their output in a log file, and ends every one of them
// (SIGTERM, then SIGKILL) when the run stops, however it stops.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** tsx's ESM loader, resolved as the server's child-process tests do: works from any cwd. */
export const TSX_LOADER = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist', 'loader.mjs')).href;

/** The repository root (packages/chaos/src -> ../../..). */
export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');

const OUTPUT_TAIL_CHARS = 16_000;

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnOptions {
  name: string;
  /** Script path, relative to the repository root. */
  script: string;
  args?: string[];
  env?: Record<string, string | undefined>;
  /** Appends stdout and stderr here. */
  logFile?: string;
}

export class SupervisedProcess {
  readonly exited: Promise<ExitStatus>;
  private tail = '';
  private pendingLine = '';
  private readonly lines: string[] = [];
  private readonly lineWaiters = new Set<(line: string) => void>();
  private exitStatus: ExitStatus | null = null;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
    private readonly log: WriteStream | null,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitStatus = { code, signal };
        this.log?.write(`\n[chaos] ${name} exited (${signal ?? code})\n`);
        resolve(this.exitStatus);
      });
    });
    child.on('error', (error) => this.record(`[chaos] ${name}: ${error.message}\n`));
    child.stdout?.on('data', (chunk: Buffer) => this.onStdout(chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => this.record(chunk.toString('utf8')));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  isRunning(): boolean {
    return this.exitStatus === null;
  }

  /** The last few thousand characters it wrote (for error messages). */
  outputTail(): string {
    return this.tail;
  }

  /** Every complete stdout line so far. */
  stdoutLines(): readonly string[] {
    return this.lines;
  }

  /** Resolves with the first stdout line (past or future) that passes `test`; rejects on exit or timeout. */
  waitForLine(test: (line: string) => boolean, timeoutMs: number): Promise<string> {
    const seen = this.lines.find(test);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const finish = (error: Error | null, line?: string) => {
        clearTimeout(timer);
        this.lineWaiters.delete(onLine);
        if (error) reject(error);
        else resolve(line!);
      };
      const onLine = (line: string) => {
        if (test(line)) finish(null, line);
      };
      const timer = setTimeout(() => finish(new Error(`${this.name} did not announce itself within ${timeoutMs} ms; its output:\n${this.tail}`)), timeoutMs);
      this.lineWaiters.add(onLine);
      void this.exited.then((status) => finish(new Error(`${this.name} exited (${status.signal ?? status.code}) before announcing itself; its output:\n${this.tail}`)));
    });
  }

  /** Sends `signal` (if still running) and waits for the exit. */
  async kill(signal: NodeJS.Signals): Promise<ExitStatus> {
    if (this.isRunning()) this.child.kill(signal);
    return this.exited;
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 10_000): Promise<ExitStatus> {
    if (!this.isRunning()) return this.exited;
    this.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const forced = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        if (this.isRunning()) this.child.kill('SIGKILL');
        resolve();
      }, graceMs);
    });
    await Promise.race([this.exited, forced]);
    clearTimeout(timer);
    return this.exited;
  }

  private onStdout(text: string): void {
    this.record(text);
    this.pendingLine += text;
    const parts = this.pendingLine.split('\n');
    this.pendingLine = parts.pop() ?? '';
    for (const raw of parts) {
      const line = raw.replace(/\r$/, '');
      this.lines.push(line);
      if (this.lines.length > 2_000) this.lines.splice(0, 1_000);
      for (const waiter of [...this.lineWaiters]) waiter(line);
    }
  }

  private record(text: string): void {
    this.log?.write(text);
    this.tail = (this.tail + text).slice(-OUTPUT_TAIL_CHARS);
  }
}

const activeSupervisors = new Set<Supervisor>();

/** For a synchronous 'exit' or signal handler: SIGTERM to every process of every run still going. */
export function terminateActiveRuns(): void {
  for (const supervisor of activeSupervisors) supervisor.terminateAllNow();
}

/** Every process the run started; `stopAll` ends them, `terminateAllNow` is for a synchronous 'exit' handler. */
export class Supervisor {
  private readonly processes = new Set<SupervisedProcess>();
  private readonly logs: WriteStream[] = [];

  constructor() {
    activeSupervisors.add(this);
  }

  spawnTsx(options: SpawnOptions): SupervisedProcess {
    const log = options.logFile === undefined ? null : createWriteStream(options.logFile, { flags: 'a' });
    if (log !== null) this.logs.push(log);
    const child = spawn(process.execPath, ['--import', TSX_LOADER, join(REPO_ROOT, options.script), ...(options.args ?? [])], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const supervised = new SupervisedProcess(options.name, child, log);
    this.processes.add(supervised);
    void supervised.exited.then(() => this.processes.delete(supervised));
    return supervised;
  }

  running(): SupervisedProcess[] {
    return [...this.processes].filter((process) => process.isRunning());
  }

  /** Stops every running process, most recent first (the server before the simulators it uses). */
  async stopAll(graceMs = 10_000): Promise<void> {
    for (const supervised of this.running().reverse()) await supervised.stop(graceMs);
    activeSupervisors.delete(this);
    await Promise.all(this.logs.map((log) => new Promise<void>((resolve) => log.end(() => resolve()))));
    this.logs.length = 0;
  }

  /**
   * Last resort when the harness itself exits and cannot wait: SIGTERM, which the simulators need to
   * stop the node processes they started (SIGKILL would leave those behind).
   */
  terminateAllNow(): void {
    for (const supervised of this.running()) supervised.child.kill('SIGTERM');
  }
}

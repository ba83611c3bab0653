// Manages the LLM engine (vLLM's OpenAI server by default) as a child process: ready only while its
// /v1/models lists the requested model, restarted a bounded number of times when it exits, then
// given up with its last output as the reason. An engine run by someone else is only probed.
import type { ChildProcess } from 'node:child_process';
import type { Clock } from '../clock';
import { SECRET_ENV_NAMES } from '../config';
import { FAILURE_REASON_MAX_CHARS } from '../heartbeat/contract';
import type { Logger } from '../logger';
import type { SpawnFn } from '../ml/job-manager';
import { LogBuffer } from '../ml/log-buffer';
import type { LlmEngineState } from './engine-state';
import { failureReport, REPORT_OUTPUT_LINES } from './failure-report';
import { judgeModelList } from './model-list';
import { redactSecrets, secretValuesOf } from './secret-redaction';

export type { LlmEngineState } from './engine-state';

export interface LlmEngineOptions {
  enabled: boolean;
  command: string | null;
  model: string | null;
  upstreamUrl: string;
  readinessPollIntervalMs: number;
  /** Restarts of a managed engine that exits before it is given up (`failed`). */
  maxRestarts: number;
  /** Wait before the first restart; doubled for each further one. */
  restartBackoffMs: number;
  /** Not ready this long after the agent started (and never ready before): reported as a failure. Null: no deadline of the agent's own. */
  readyTimeoutMs: number | null;
  spawn: SpawnFn;
  clock: Clock;
  logger: Logger;
  baseEnv: Record<string, string | undefined>;
}

export interface LlmEngineStatus {
  state: LlmEngineState;
  managed: boolean;
  model: string | null;
  pid: number | null;
  exitCode: number | null;
  lastReadyAt: string | null;
  /** Times the managed engine was restarted after exiting. */
  restarts: number;
  maxRestarts: number;
  /** What the last answered /v1/models listed (null before any well-formed answer). */
  servedModels: string[] | null;
  /** Why it is not ready, as of the last probe or exit (null when ready). */
  notReadyReason: string | null;
  /** The failure reported to the shopper (given up, or not ready by the agent's deadline); null otherwise. */
  failureReason: string | null;
  /** The engine's last output lines (secrets removed) whenever it is not serving. */
  recentOutput: string[];
}

const PROBE_TIMEOUT_MS = 2000;

const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** Fills {model} and {port} in the configured command line. */
export function renderEngineCommand(template: string, model: string | null, upstreamUrl: string): string {
  const url = new URL(upstreamUrl);
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return template.replaceAll('{model}', model ? shellQuote(model) : '').replaceAll('{port}', port);
}

export class LlmEngine {
  state: LlmEngineState;
  restarts = 0;
  private child: ChildProcess | null = null;
  private exitCode: number | null = null;
  private lastReadyAt: Date | null = null;
  private readonly createdAt: Date;
  private nextProbeAt: Date;
  private restartAt: Date | null = null;
  private probing = false;
  /** Bumped at every exit: a probe that was in flight then speaks of the engine that exited, not the next one. */
  private generation = 0;
  private servedModels: string[] | null = null;
  private notReadyReason: string | null = null;
  private gaveUpReason: string | null = null;
  private readonly output: LogBuffer;
  private readonly secrets: string[];

  constructor(private readonly options: LlmEngineOptions) {
    this.state = options.enabled ? 'starting' : 'disabled';
    this.createdAt = options.clock.now();
    this.nextProbeAt = options.clock.now();
    this.output = new LogBuffer(50, () => options.clock.now());
    this.secrets = secretValuesOf(options.baseEnv);
    if (options.enabled) this.notReadyReason = 'not probed yet';
  }

  get managed(): boolean {
    return this.options.enabled && this.options.command !== null;
  }

  get upstreamUrl(): string {
    return this.options.upstreamUrl;
  }

  get ready(): boolean {
    return this.state === 'ready';
  }

  start(): void {
    if (!this.managed || this.child || this.state !== 'starting') return;
    this.spawnEngine();
  }

  private spawnEngine(): void {
    const commandLine = renderEngineCommand(this.options.command ?? '', this.options.model, this.options.upstreamUrl);
    const env: Record<string, string | undefined> = { ...this.options.baseEnv };
    for (const name of SECRET_ENV_NAMES) delete env[name];
    this.options.logger.info('starting LLM engine', { command: commandLine, restarts: this.restarts });
    const child = this.options.spawn('/bin/sh', ['-c', `exec ${commandLine}`], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => this.output.write('stdout', chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => this.output.write('stderr', chunk));
    child.once('error', (error) => {
      // Kept with the output: it is the reason the shopper hears if the engine is given up.
      this.output.write('stderr', `agent: could not start the engine: ${error.message}\n`);
      this.options.logger.error('LLM engine failed to start', { error: error.message });
    });
    child.once('close', (code, signal) => this.onExit(child, code, signal));
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    this.output.flush();
    this.exitCode = code;
    if (this.child === child) this.child = null;
    if (this.state === 'stopped') return;
    this.generation += 1;
    // The engine's own workers (vLLM spawns some) would keep the GPU memory and the port from the next start.
    killGroup(child, 'SIGKILL');
    const how = code !== null ? `exited with code ${code}` : `was killed by ${signal ?? 'a signal'}`;
    this.notReadyReason = `the engine ${how}`;
    if (this.restarts < this.options.maxRestarts) {
      const backoffMs = this.options.restartBackoffMs * 2 ** this.restarts;
      this.state = 'exited';
      this.restartAt = new Date(this.options.clock.now().getTime() + backoffMs);
      this.options.logger.warn('LLM engine exited; restarting', { exitCode: code, signal, restart: this.restarts + 1, maxRestarts: this.options.maxRestarts, restartInMs: backoffMs });
      return;
    }
    this.state = 'failed';
    this.restartAt = null;
    const headline = this.options.maxRestarts === 0 ? `LLM engine ${how}` : `LLM engine ${how} after ${this.restarts} restart${this.restarts === 1 ? '' : 's'}; given up`;
    this.gaveUpReason = this.report(headline);
    this.options.logger.error('LLM engine failed; not restarting', { exitCode: code, signal, restarts: this.restarts });
  }

  /** Restarts an exited engine when its backoff is over, and probes readiness when due; called from the agent's tick. */
  async tick(): Promise<void> {
    const now = this.options.clock.now();
    if (this.state === 'exited' && this.restartAt !== null && now >= this.restartAt) {
      this.restarts += 1;
      this.restartAt = null;
      this.state = 'starting';
      this.nextProbeAt = now;
      this.spawnEngine();
      return;
    }
    if (this.state !== 'starting' && this.state !== 'ready') return;
    if (this.probing || now < this.nextProbeAt) return;
    this.probing = true;
    this.nextProbeAt = new Date(now.getTime() + this.options.readinessPollIntervalMs);
    const generation = this.generation;
    try {
      const verdict = await this.probe();
      // The engine exited (or the agent stopped it) while the probe was out: its answer is stale.
      if (generation !== this.generation || (this.state !== 'starting' && this.state !== 'ready')) return;
      if (verdict.servedModels !== undefined) this.servedModels = verdict.servedModels;
      this.notReadyReason = verdict.reason;
      if (verdict.ready) {
        if (this.state === 'starting') this.options.logger.info('LLM engine ready', { model: this.options.model });
        this.state = 'ready';
        this.lastReadyAt = this.options.clock.now();
      } else {
        this.state = 'starting';
      }
    } finally {
      this.probing = false;
    }
  }

  /** One GET /v1/models: ready only with a 200 whose list has the requested model (any well-formed list without one). */
  private async probe(): Promise<{ ready: boolean; reason: string | null; servedModels?: string[] | null }> {
    let response: Response;
    try {
      response = await fetch(`${this.options.upstreamUrl}/v1/models`, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    } catch (error) {
      const timedOut = (error as Error).name === 'TimeoutError';
      return { ready: false, reason: timedOut ? `the engine did not answer /v1/models within ${PROBE_TIMEOUT_MS} ms` : 'the engine does not answer yet (connection failed)' };
    }
    if (!response.ok) {
      await response.body?.cancel();
      return { ready: false, reason: `the engine answered /v1/models with HTTP ${response.status}` };
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      return { ready: false, reason: 'the engine answered /v1/models with a body that is not JSON', servedModels: null };
    }
    return judgeModelList(body, this.options.model);
  }

  /**
   * What the node reports to the shopper as its failure: the engine given up, or (with a deadline)
   * never ready that long after the agent started. Null while neither holds.
   */
  failure(): string | null {
    if (this.state === 'failed') return this.gaveUpReason;
    const { readyTimeoutMs } = this.options;
    if (readyTimeoutMs === null || this.lastReadyAt !== null || (this.state !== 'starting' && this.state !== 'exited')) return null;
    const waitedMs = this.options.clock.now().getTime() - this.createdAt.getTime();
    if (waitedMs < readyTimeoutMs) return null;
    return this.report(`LLM engine not ready ${formatMinutes(waitedMs)} after the agent started (${this.notReadyReason ?? 'starting'})`);
  }

  private report(headline: string): string {
    return failureReport(redactSecrets(headline, this.secrets), this.recentLines(REPORT_OUTPUT_LINES), FAILURE_REASON_MAX_CHARS);
  }

  private recentLines(count: number): string[] {
    return this.output.tail(count).map((line) => redactSecrets(line.text, this.secrets));
  }

  /** Polls until ready or the deadline (real time); for startup and tests. False at once when the engine cannot become ready. */
  async waitUntilReady(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      this.nextProbeAt = new Date(0);
      await this.tick();
      if (this.ready) return true;
      if (this.state === 'failed' || this.state === 'disabled' || this.state === 'stopped') return false;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return false;
  }

  async stop(graceMs: number): Promise<void> {
    if (this.state === 'disabled') return;
    this.state = 'stopped';
    this.restartAt = null;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  status(): LlmEngineStatus {
    const serving = this.state === 'ready' || this.state === 'disabled';
    return {
      state: this.state,
      managed: this.managed,
      model: this.options.model,
      pid: this.child?.pid ?? null,
      exitCode: this.exitCode,
      lastReadyAt: this.lastReadyAt?.toISOString() ?? null,
      restarts: this.restarts,
      maxRestarts: this.managed ? this.options.maxRestarts : 0,
      servedModels: this.servedModels,
      notReadyReason: serving ? null : this.notReadyReason,
      failureReason: this.failure(),
      recentOutput: serving ? [] : this.recentLines(20),
    };
  }
}

/** Signals the engine's whole process group (it was started detached), or the child alone when the group is gone. */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // Already gone.
    }
  }
}

function formatMinutes(ms: number): string {
  const minutes = ms / 60_000;
  return `${Number.isInteger(minutes) ? minutes : minutes.toFixed(1)} min`;
}

// Manages the LLM engine (vLLM's OpenAI server by default) as a child process and tracks its
// readiness by probing /v1/models; an engine run by someone else is only probed.
import type { ChildProcess } from 'node:child_process';
import type { Clock } from '../clock';
import { SECRET_ENV_NAMES } from '../config';
import type { Logger } from '../logger';
import type { SpawnFn } from '../ml/job-manager';
import { LogBuffer } from '../ml/log-buffer';

export type LlmEngineState = 'disabled' | 'starting' | 'ready' | 'exited' | 'stopped';

export interface LlmEngineOptions {
  enabled: boolean;
  command: string | null;
  model: string | null;
  upstreamUrl: string;
  readinessPollIntervalMs: number;
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
  recentOutput: string[];
}

const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** Fills {model} and {port} in the configured command line. */
export function renderEngineCommand(template: string, model: string | null, upstreamUrl: string): string {
  const url = new URL(upstreamUrl);
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return template.replaceAll('{model}', model ? shellQuote(model) : '').replaceAll('{port}', port);
}

export class LlmEngine {
  state: LlmEngineState;
  private child: ChildProcess | null = null;
  private exitCode: number | null = null;
  private lastReadyAt: Date | null = null;
  private nextProbeAt: Date;
  private probing = false;
  private readonly output: LogBuffer;

  constructor(private readonly options: LlmEngineOptions) {
    this.state = options.enabled ? 'starting' : 'disabled';
    this.nextProbeAt = options.clock.now();
    this.output = new LogBuffer(50, () => options.clock.now());
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
    if (!this.managed || this.child) return;
    const commandLine = renderEngineCommand(this.options.command ?? '', this.options.model, this.options.upstreamUrl);
    const env: Record<string, string | undefined> = { ...this.options.baseEnv };
    for (const name of SECRET_ENV_NAMES) delete env[name];
    this.options.logger.info('starting LLM engine', { command: commandLine });
    const child = this.options.spawn('/bin/sh', ['-c', `exec ${commandLine}`], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => this.output.write('stdout', chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => this.output.write('stderr', chunk));
    child.once('error', (error) => this.options.logger.error('LLM engine failed to start', { error: error.message }));
    child.once('close', (code) => {
      this.output.flush();
      this.exitCode = code;
      if (this.state !== 'stopped') {
        this.state = 'exited';
        this.options.logger.error('LLM engine exited', { exitCode: code });
      }
    });
  }

  /** Probes readiness when due; called from the agent's tick. */
  async tick(): Promise<void> {
    if (this.state !== 'starting' && this.state !== 'ready') return;
    const now = this.options.clock.now();
    if (this.probing || now < this.nextProbeAt) return;
    this.probing = true;
    this.nextProbeAt = new Date(now.getTime() + this.options.readinessPollIntervalMs);
    try {
      const response = await fetch(`${this.options.upstreamUrl}/v1/models`, { signal: AbortSignal.timeout(2000) });
      await response.body?.cancel();
      if (this.state === 'starting' || this.state === 'ready') this.state = response.ok ? 'ready' : 'starting';
      if (response.ok) this.lastReadyAt = this.options.clock.now();
    } catch {
      if (this.state === 'ready') this.state = 'starting';
    } finally {
      this.probing = false;
    }
  }

  /** Polls until ready or the deadline; for startup and tests. */
  async waitUntilReady(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      this.nextProbeAt = new Date(0);
      await this.tick();
      if (this.ready) return true;
      if (this.state === 'exited' || this.state === 'disabled') return false;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return false;
  }

  async stop(graceMs: number): Promise<void> {
    if (this.state === 'disabled') return;
    this.state = 'stopped';
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    const kill = (signal: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, signal);
      } catch {
        child.kill(signal);
      }
    };
    kill('SIGTERM');
    const timer = setTimeout(() => kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  status(): LlmEngineStatus {
    return {
      state: this.state,
      managed: this.managed,
      model: this.options.model,
      pid: this.child?.pid ?? null,
      exitCode: this.exitCode,
      lastReadyAt: this.lastReadyAt?.toISOString() ?? null,
      recentOutput: this.state === 'exited' ? this.output.tail(20).map((line) => line.text) : [],
    };
  }
}

// startAgent: builds the runtime and the server from a config and injectable dependencies,
// starts the LLM engine when the workload needs one, and drives tick() from a timer.
import { spawn as nodeSpawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { processStartedAt, systemClock } from './clock';
import type { Clock } from './clock';
import type { AgentConfig } from './config';
import { consoleLogger } from './logger';
import type { Logger } from './logger';
import type { SpawnFn } from './ml/job-manager';
import { runCommand as nodeRunCommand } from './process/run-command';
import type { RunCommand } from './process/run-command';
import { AgentRuntime } from './runtime';
import { createServer } from './server/create-server';

export interface AgentDeps {
  clock?: Clock;
  /** Used for the shopper's heartbeat and the Vast.ai API (not for the local LLM engine). */
  fetch?: typeof fetch;
  spawn?: SpawnFn;
  /** Runs nvidia-smi and the power-off command. */
  runCommand?: RunCommand;
  logger?: Logger;
  /** Environment jobs and the engine inherit (the agent's secrets are always removed). */
  baseEnv?: Record<string, string | undefined>;
  /** Period of the real timer calling tick(); 0 disables it (tests call tick() themselves). */
  tickIntervalMs?: number;
  /** When the agent started (reported in status and heartbeats); default: this process's start on the system clock, or the injected clock's now. */
  startedAt?: Date;
}

export interface RunningAgent {
  /** Base URL of the server, e.g. http://127.0.0.1:8080 (the REST facade is under /node/v1). */
  url: string;
  runtime: AgentRuntime;
  server: FastifyInstance;
  tick(): Promise<void>;
  /** Graceful shutdown (jobs stopped with a grace, final heartbeat), then the server closes. */
  shutdown(reason: string): Promise<void>;
  /** Stops the timer, the engine and the server without a final heartbeat (tests). */
  close(): Promise<void>;
  /** Resolves when a graceful shutdown (asked by the shopper or by shutdown()) has finished; after a
   * shopper-requested one the server and the dead-man switch keep running until close(). */
  stopped: Promise<string>;
}

export async function startAgent(config: AgentConfig, deps: AgentDeps = {}): Promise<RunningAgent> {
  const logger = deps.logger ?? consoleLogger;
  await mkdir(config.workspaceRoot, { recursive: true });
  const runtime = new AgentRuntime(config, {
    clock: deps.clock ?? systemClock,
    startedAt: deps.startedAt ?? (deps.clock ? deps.clock.now() : processStartedAt()),
    fetch: deps.fetch ?? globalThis.fetch,
    spawn: deps.spawn ?? nodeSpawn,
    runCommand: deps.runCommand ?? nodeRunCommand,
    logger,
    baseEnv: deps.baseEnv ?? process.env,
  });
  const server = createServer(runtime);
  await server.listen({ port: config.port, host: config.host });
  const address = server.server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  runtime.engine.start();
  logger.info('agent listening', { url, workload: config.workload, sessionId: config.sessionId, workspace: config.workspaceRoot });

  let resolveStopped: (reason: string) => void = () => {};
  const stopped = new Promise<string>((resolve) => {
    resolveStopped = resolve;
  });
  let timer: NodeJS.Timeout | null = null;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    if (timer) clearInterval(timer);
    await runtime.engine.stop(2000);
    await server.close();
  };
  const tick = async () => {
    await runtime.tick();
    // The server stays up after a shopper-requested shutdown (503 for work, status still served)
    // so the dead-man switch keeps watching until the node is actually destroyed.
    if (runtime.shutdownState === 'stopped') resolveStopped(runtime.shutdownReason ?? 'shutdown');
  };
  const tickIntervalMs = deps.tickIntervalMs ?? 1000;
  if (tickIntervalMs > 0) {
    timer = setInterval(() => {
      tick().catch((error: Error) => logger.error('tick failed', { error: error.message }));
    }, tickIntervalMs);
    timer.unref();
    void tick().catch((error: Error) => logger.error('tick failed', { error: error.message }));
  }
  return {
    url,
    runtime,
    server,
    tick,
    close,
    stopped,
    shutdown: async (reason) => {
      await runtime.shutdown(reason);
      resolveStopped(reason);
      await close();
    },
  };
}

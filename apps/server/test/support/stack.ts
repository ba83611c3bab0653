// A whole deployment in the test process: both provider simulators, the real server over HTTP on a
// ManualClock they share, and optionally real agent processes booted by the simulated instances.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@gpu-shopper/domain';
import type { Orm } from '@gpu-shopper/db';
import { RequestBudget, TensorDockAdapter, VastAiAdapter } from '@gpu-shopper/providers';
import type { LifecyclePolicy } from '@gpu-shopper/services';
import { AGENT_PORT } from '@gpu-shopper/services';
import { agentNodeRuntime, startSimulators, type OnInstanceRunning, type RunningSimulators, type SimNodeHandle } from '@gpu-shopper/simulators';
import { loadConfig } from '../../src/config';
import { componentLogger, silentLogger, type Logger } from '../../src/logger';
import { startServer, type RunningServer } from '../../src/start';

export const ADMIN_KEY = 'test-admin-key-0123456789';
export const VAST_KEY = 'e2e-vast-key';
const TENSORDOCK_TOKEN = 'e2e-tensordock-token';

export interface StackOptions {
  /** Boot a real agent per running instance, with this extra env (heartbeat interval, LLM engine). */
  agentEnv?: Record<string, string>;
  lifecyclePolicy?: Partial<LifecyclePolicy>;
  /** What a running instance starts instead of an agent (a hand-written fake node). */
  onInstanceRunning?: OnInstanceRunning;
  /** Per provider call; short so hung simulator answers cost little real time. */
  providerTimeoutMs?: number;
  /** The server's and the provider adapters' logger (default: silent). */
  logger?: Logger;
}

export interface TestStack {
  clock: ManualClock;
  sims: RunningSimulators;
  server: RunningServer;
  orm: Orm;
  consumerKey: string;
  /** Agent processes by simulator instance id. */
  nodes: Map<string, SimNodeHandle>;
  /** Agent output by instance id (read it when a test fails). */
  nodeOutput: Map<string, string>;
  api(path: string, init?: RequestInit & { key?: string | null }): Promise<Response>;
  json<T>(path: string, init?: RequestInit & { key?: string | null }): Promise<T>;
  close(): Promise<void>;
}

export async function startTestStack(options: StackOptions = {}): Promise<TestStack> {
  const clock = new ManualClock(new Date());
  const nodes = new Map<string, SimNodeHandle>();
  const nodeOutput = new Map<string, string>();
  let onInstanceRunning = options.onInstanceRunning;
  if (options.agentEnv !== undefined) {
    const runtime = agentNodeRuntime({ agentPort: AGENT_PORT, logger: silentLogger, extraEnv: options.agentEnv, onOutput: ({ instanceId }, chunk) => nodeOutput.set(instanceId, (nodeOutput.get(instanceId) ?? '') + chunk) });
    if (runtime === null) throw new Error('no way to run the agent (neither a bundle nor tsx)');
    onInstanceRunning = async (launch) => {
      const handle = await runtime(launch);
      nodes.set(launch.instanceId, handle);
      return handle;
    };
  }
  const sims = await startSimulators({ clock, vastApiKey: VAST_KEY, tensordockApiToken: TENSORDOCK_TOKEN, bootDelayMs: 0, nodePublicIp: '127.0.0.1', onInstanceRunning, vastOfferCount: 300, tensordockHostnodeCount: 40 });
  const logger = options.logger ?? silentLogger;
  const common = { clock, retry: { sleep: async () => {} }, budget: RequestBudget.unlimited(), timeoutMs: options.providerTimeoutMs ?? 2_000, logger: componentLogger(logger, 'providers') };
  const dir = mkdtempSync(join(tmpdir(), 'gpu-shopper-e2e-'));
  const server = await startServer({
    config: loadConfig({ PORT: '0', HOST: '127.0.0.1', GPU_SHOPPER_DB: join(dir, 'db.sqlite'), GPU_SHOPPER_ADMIN_KEY: ADMIN_KEY }),
    clock,
    logger,
    runLifecycle: false,
    lifecyclePolicy: options.lifecyclePolicy,
    providerAdapters: [new VastAiAdapter({ ...common, apiKey: VAST_KEY, baseUrl: sims.vastUrl }), new TensorDockAdapter({ ...common, apiKey: TENSORDOCK_TOKEN, baseUrl: sims.tensordockUrl })],
  }).catch(async (error: unknown) => {
    await sims.close();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });

  let consumerKey = '';
  const api = (path: string, init: RequestInit & { key?: string | null } = {}) => {
    const headers = new Headers(init.headers);
    const key = init.key === undefined ? consumerKey : init.key;
    if (key !== null) headers.set('authorization', `Bearer ${key}`);
    if (init.body !== undefined) headers.set('content-type', 'application/json');
    return fetch(`${server.url}${path}`, { ...init, headers });
  };
  const json = async <T>(path: string, init: RequestInit & { key?: string | null } = {}): Promise<T> => {
    const response = await api(path, init);
    const body = (await response.json()) as T;
    if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${path}: HTTP ${response.status} ${JSON.stringify(body)}`);
    return body;
  };
  consumerKey = (await json<{ key: string }>('/api/v1/admin/keys', { method: 'POST', key: ADMIN_KEY, body: JSON.stringify({ consumer: 'e2e' }) })).key;

  return {
    clock,
    sims,
    server,
    orm: server.deps.orm,
    consumerKey,
    nodes,
    nodeOutput,
    api,
    json,
    close: async () => {
      await server.close();
      await sims.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `probe` (ticking the server before each try) until it returns a value, or fails loudly. */
export async function tickUntil<T>(stack: TestStack, probe: () => Promise<T | null | undefined | false>, what: string, options: { timeoutMs?: number; advanceMs?: number; pauseMs?: number } = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  for (;;) {
    if (options.advanceMs) stack.clock.advance(options.advanceMs);
    await stack.server.tick();
    const value = await probe();
    if (value !== null && value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, options.pauseMs ?? 50));
  }
}

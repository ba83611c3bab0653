// What the provisioning benchmarks share: both simulators with a fake node per running instance
// (it heartbeats at once, with the token and URL from its create env, then every `heartbeatMs`),
// the real server over HTTP on top, a consumer key, and a JSON caller.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '@gpu-shopper/domain';
import { RequestBudget, TensorDockAdapter, VastAiAdapter } from '@gpu-shopper/providers';
import { loadConfig, startServer, type RunningServer } from '@gpu-shopper/server';
import { nodeEnvOf, startSimulators, type OnInstanceRunning, type RunningSimulators } from '@gpu-shopper/simulators';

const ADMIN_KEY = 'bench-admin-key-0123456789';

/** A node that only says hello: a heartbeat as soon as it runs, then every `heartbeatMs`. */
function fakeAgent(heartbeatMs: number): OnInstanceRunning {
  return (launch) => {
    const env = nodeEnvOf(launch);
    const beat = () =>
      fetch(`${env.GPU_SHOPPER_URL}/api/v1/sessions/${env.GPU_SHOPPER_SESSION_ID}/heartbeat`, {
        method: 'POST',
        headers: { authorization: `Bearer ${env.GPU_SHOPPER_NODE_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ sessionId: env.GPU_SHOPPER_SESSION_ID, sentAt: new Date().toISOString(), status: { ready: true, runningJobs: 0, maxGpuUtilizationPercent: null }, activity: {}, idle: { idle: false, idleSince: null, reason: 'busy' }, final: false }),
      }).catch(() => undefined);
    void beat();
    const timer = setInterval(() => void beat(), heartbeatMs);
    return { stop: () => clearInterval(timer) };
  };
}

export interface BenchStack {
  sims: RunningSimulators;
  server: RunningServer;
  consumerKey: string;
  call<T>(path: string, init?: RequestInit): Promise<T>;
  close(): Promise<void>;
}

export interface BenchStackOptions {
  heartbeatMs: number;
  /** How long the simulated providers take to boot an instance (default 0). */
  bootDelayMs?: number;
  /**
   * 'manual' (default): no scheduled jobs (the benchmark ticks), no request budget. 'server': as a
   * server runs with default settings: its own job timers, each provider's request budget, and
   * instances that boot on their own (the simulators move them along every 100 ms).
   */
  lifecycle?: 'manual' | 'server';
}

export async function startBenchStack(options: BenchStackOptions): Promise<BenchStack> {
  const asServer = options.lifecycle === 'server';
  const sims = await startSimulators({ vastApiKey: 'bench-vast', tensordockApiToken: 'bench-td', bootDelayMs: options.bootDelayMs ?? 0, nodePublicIp: '127.0.0.1', onInstanceRunning: fakeAgent(options.heartbeatMs), ...(asServer ? { tickIntervalMs: 100 } : {}) });
  const common = asServer ? { clock: systemClock } : { clock: systemClock, budget: RequestBudget.unlimited() };
  const server = await startServer({
    config: loadConfig({ PORT: '0', HOST: '127.0.0.1', GPU_SHOPPER_DB: join(mkdtempSync(join(tmpdir(), 'gpu-shopper-bench-')), 'db.sqlite'), GPU_SHOPPER_ADMIN_KEY: ADMIN_KEY, GPU_SHOPPER_RATE_LIMIT: 'off' }),
    logger: { info: () => {}, warn: () => {}, error: () => {} },
    runLifecycle: asServer,
    providerAdapters: [new VastAiAdapter({ ...common, apiKey: 'bench-vast', baseUrl: sims.vastUrl }), new TensorDockAdapter({ ...common, apiKey: 'bench-td', baseUrl: sims.tensordockUrl })],
  });
  const request = async <T>(path: string, key: string, init: RequestInit = {}): Promise<T> => {
    const response = await fetch(`${server.url}${path}`, { ...init, headers: { authorization: `Bearer ${key}`, ...(init.body ? { 'content-type': 'application/json' } : {}) } });
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  try {
    const { key } = await request<{ key: string }>('/api/v1/admin/keys', ADMIN_KEY, { method: 'POST', body: JSON.stringify({ consumer: 'bench' }) });
    return {
      sims,
      server,
      consumerKey: key,
      call: (path, init) => request(path, key, init),
      close: async () => {
        await server.close();
        await sims.close();
      },
    };
  } catch (error) {
    await server.close();
    await sims.close();
    throw error;
  }
}

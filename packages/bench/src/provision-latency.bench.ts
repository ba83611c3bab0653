// Request → ready latency the shopper adds, at zero boot delay: the real server over HTTP against both
// simulators; each instance's "node" is a tiny fake agent that heartbeats (with the token and URL from
// its create env) from the moment it runs, and lifecycle ticks run back to back, so what is left is
// the shopper's own work: HTTP, database writes, provider calls and the observation of the instance.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '@gpu-shopper/domain';
import { RequestBudget, TensorDockAdapter, VastAiAdapter } from '@gpu-shopper/providers';
import { loadConfig, startServer } from '@gpu-shopper/server';
import { nodeEnvOf, startSimulators, type OnInstanceRunning } from '@gpu-shopper/simulators';

const PROVISIONS = 50;
const ADMIN_KEY = 'bench-admin-key-0123456789';

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? 0;
}

/** A node that only says hello: a heartbeat as soon as it runs, then every second (as an agent set to 1 s). */
const fakeAgent: OnInstanceRunning = (launch) => {
  const env = nodeEnvOf(launch);
  const beat = () =>
    fetch(`${env.GPU_SHOPPER_URL}/api/v1/sessions/${env.GPU_SHOPPER_SESSION_ID}/heartbeat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${env.GPU_SHOPPER_NODE_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sessionId: env.GPU_SHOPPER_SESSION_ID, sentAt: new Date().toISOString(), status: { ready: true, runningJobs: 0, maxGpuUtilizationPercent: null }, activity: {}, idle: { idle: false, idleSince: null, reason: 'busy' }, final: false }),
    }).catch(() => undefined);
  void beat();
  const timer = setInterval(() => void beat(), 1_000);
  return { stop: () => clearInterval(timer) };
};

export async function runProvisionLatencyBench(): Promise<{ name: string; results: Record<string, number | string> }> {
  const sims = await startSimulators({ vastApiKey: 'bench-vast', tensordockApiToken: 'bench-td', bootDelayMs: 0, nodePublicIp: '127.0.0.1', onInstanceRunning: fakeAgent });
  const common = { clock: systemClock, budget: RequestBudget.unlimited() };
  const server = await startServer({
    config: loadConfig({ PORT: '0', HOST: '127.0.0.1', GPU_SHOPPER_DB: join(mkdtempSync(join(tmpdir(), 'gpu-shopper-bench-')), 'db.sqlite'), GPU_SHOPPER_ADMIN_KEY: ADMIN_KEY }),
    logger: { info: () => {}, warn: () => {}, error: () => {} },
    runLifecycle: false,
    providerAdapters: [new VastAiAdapter({ ...common, apiKey: 'bench-vast', baseUrl: sims.vastUrl }), new TensorDockAdapter({ ...common, apiKey: 'bench-td', baseUrl: sims.tensordockUrl })],
  });
  try {
    const call = async <T>(path: string, key: string, init: RequestInit = {}): Promise<T> => {
      const response = await fetch(`${server.url}${path}`, { ...init, headers: { authorization: `Bearer ${key}`, ...(init.body ? { 'content-type': 'application/json' } : {}) } });
      if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    };
    const { key } = await call<{ key: string }>('/api/v1/admin/keys', ADMIN_KEY, { method: 'POST', body: JSON.stringify({ consumer: 'bench' }) });
    await call('/api/v1/inventory?gpu=4090', key); // warm the offer cache, as a running server has it
    const samples: Record<'vastai' | 'tensordock', { acceptedMs: number[]; readyMs: number[] }> = { vastai: { acceptedMs: [], readyMs: [] }, tensordock: { acceptedMs: [], readyMs: [] } };
    for (let index = 0; index < PROVISIONS; index += 1) {
      const provider = index % 2 === 0 ? 'vastai' : 'tensordock';
      const startedAt = performance.now();
      const session = await call<{ id: string }>('/api/v1/sessions', key, { method: 'POST', body: JSON.stringify({ gpu: '4090', hours: 1, provider }) });
      samples[provider].acceptedMs.push(performance.now() - startedAt);
      for (let spins = 0; ; spins += 1) {
        await server.tick();
        if ((await call<{ state: string }>(`/api/v1/sessions/${session.id}`, key)).state === 'ready') break;
        if (spins > 2_000) throw new Error(`session ${session.id} never became ready`);
      }
      samples[provider].readyMs.push(performance.now() - startedAt);
      // Ended outside the measurement, so every provision meets the same, small, live set. The fake
      // node's heartbeats bump the row's version, so the DELETE may lose an optimistic lock: retry.
      for (let tries = 0; ; tries += 1) {
        const response = await fetch(`${server.url}/api/v1/sessions/${session.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${key}` } });
        if (response.ok) break;
        if (response.status !== 409 || tries > 20) throw new Error(`DELETE ${session.id}: HTTP ${response.status}`);
      }
      while ((await call<{ state: string }>(`/api/v1/sessions/${session.id}`, key)).state !== 'terminated') await server.tick();
    }
    const all = [...samples.vastai.readyMs, ...samples.tensordock.readyMs];
    const round = (ms: number) => Math.round(ms * 10) / 10;
    return {
      name: `provision latency: POST /sessions → ready, zero boot delay, ${PROVISIONS} provisions (fake heartbeating node, ticks back to back)`,
      results: {
        'ready median ms': round(percentile(all, 0.5)),
        'ready p90 ms': round(percentile(all, 0.9)),
        'ready median ms (vastai)': round(percentile(samples.vastai.readyMs, 0.5)),
        'ready median ms (tensordock)': round(percentile(samples.tensordock.readyMs, 0.5)),
        'POST accepted median ms': round(percentile([...samples.vastai.acceptedMs, ...samples.tensordock.acceptedMs], 0.5)),
      },
    };
  } finally {
    await server.close();
    await sims.close();
  }
}

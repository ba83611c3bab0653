// A fleet of ready sessions for the lifecycle benchmarks: N session rows, each with its instance
// running on one of the two simulators (listed over HTTP like any other), half on each provider.
// The simulators run in this thread, or in a worker thread of their own (`simulators: 'worker'`)
// when the benchmark measures this thread's event loop. The lifecycle under measurement talks to
// them as the server does: each provider's request budget and real waits between retries.
import { cpus, loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { ManualClock } from '@gpu-shopper/domain';
import type { Orm } from '@gpu-shopper/db';
import { AlertService, insertSession, LifecycleManager, ProviderRegistry, type SessionLeases, type WebhookNotifier } from '@gpu-shopper/services';
import { startSimulators } from '@gpu-shopper/simulators';
import { createFleetInstances, fleetAdapters, type FleetInstance } from './fleet-instances';

export const FLEET_DEPLOYMENT_ID = 'bench';

export interface Fleet {
  registry: ProviderRegistry;
  seedMs: number;
  lifecycle(leases?: SessionLeases): LifecycleManager;
  close(): Promise<void>;
}

export interface FleetOptions {
  simulators?: 'here' | 'worker';
  /** Create each session's instance on the simulators (default true); the deadline tick alone needs none. */
  instances?: boolean;
  /** When each session's agent last spoke (default: the clock's now). */
  lastHeartbeatAt?: (index: number, now: Date) => Date;
}

interface FleetSimulators {
  urls: { vastUrl: string; tensordockUrl: string };
  create(instances: FleetInstance[]): Promise<number>;
  close(): Promise<void>;
}

async function simulatorsHere(): Promise<FleetSimulators> {
  const sims = await startSimulators({ clock: new ManualClock(new Date()), vastApiKey: 'bench-vast', tensordockApiToken: 'bench-td', bootDelayMs: 0, nodePublicIp: '127.0.0.1' });
  return { urls: sims, create: (instances) => createFleetInstances(sims, instances), close: () => sims.close() };
}

async function simulatorsInWorker(): Promise<FleetSimulators> {
  // The worker loads TypeScript through tsx's loader, registered inside it (workers take no --import).
  const script = new URL('./fleet-simulators.worker.ts', import.meta.url).href;
  const worker = new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(script)}); })`, { eval: true });
  const next = <T>() =>
    new Promise<T>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
  const urls = await next<{ vastUrl: string; tensordockUrl: string }>();
  return {
    urls,
    create: async (instances) => {
      const answer = next<{ seeded: number }>();
      worker.postMessage({ seed: instances });
      return (await answer).seeded;
    },
    close: async () => {
      worker.postMessage({ close: true });
      await new Promise((resolve) => worker.once('exit', resolve));
    },
  };
}

export async function seedFleet(orm: Orm, clock: ManualClock, sessions: number, options: FleetOptions = {}): Promise<Fleet> {
  const sims = options.simulators === 'worker' ? await simulatorsInWorker() : await simulatorsHere();
  const registry = new ProviderRegistry(fleetAdapters(sims.urls, clock, 'server'));
  const seedStartedAt = performance.now();
  const instances: FleetInstance[] = [];
  for (let first = 0; first < sessions; first += 1_000) {
    const em = orm.em.fork();
    for (let index = first; index < Math.min(first + 1_000, sessions); index += 1) {
      const row = insertSession(em, clock, { consumerId: 'con_bench', workload: 'batch', reservationHours: 12, deploymentId: FLEET_DEPLOYMENT_ID, actor: 'bench' });
      const provider = index % 2 === 0 ? 'vastai' : 'tensordock';
      const instanceId = provider === 'vastai' ? String(40_000_000 + index) : `${index.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;
      instances.push({ provider, instanceId, label: row.label });
      const lastHeartbeatAt = options.lastHeartbeatAt?.(index, clock.now()) ?? clock.now();
      Object.assign(row, { state: 'ready', provider, providerInstanceId: instanceId, instanceState: 'running', lastHeartbeatAt, readyAt: clock.now(), nodeEndpoint: 'http://127.0.0.1:1' });
    }
    await em.flush();
  }
  if (options.instances !== false && (await sims.create(instances)) !== sessions) throw new Error('the simulators did not create every instance');
  const seedMs = performance.now() - seedStartedAt;

  const quiet: WebhookNotifier = { notify: async () => {} };
  return {
    registry,
    seedMs,
    lifecycle: (leases) => new LifecycleManager({ orm, clock, providers: registry, alerts: new AlertService(clock, quiet, { warn: () => {} }), webhooks: quiet, deploymentId: FLEET_DEPLOYMENT_ID, leases }),
    close: () => sims.close(),
  };
}

export async function timedMs(run: () => Promise<unknown>): Promise<number> {
  const startedAt = performance.now();
  await run();
  return performance.now() - startedAt;
}

export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** The longest this thread's event loop was held while watching (ms), from Node's own delay histogram. */
export function watchEventLoop(): { stop(): number } {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  return {
    stop: () => {
      histogram.disable();
      return histogram.max / 1e6;
    },
  };
}

/** The machine's load as the figures were taken: they are indicative on a shared machine. */
export function machineLoad(): string {
  const [oneMinute, fiveMinutes] = loadavg();
  return `load ${oneMinute!.toFixed(2)} (1 min) ${fiveMinutes!.toFixed(2)} (5 min) on ${cpus().length} cores`;
}

export function verdict(met: boolean): string {
  return met ? 'PASS' : 'FAIL';
}

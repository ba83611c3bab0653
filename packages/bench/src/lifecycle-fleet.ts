// A fleet of ready sessions for the lifecycle benchmarks: N session rows, each with its instance
// running on one of the two simulators (listed over HTTP like any other), half on each provider.
import type { ManualClock } from '@gpu-shopper/domain';
import type { Orm } from '@gpu-shopper/db';
import { RequestBudget, TensorDockAdapter, VastAiAdapter, type ProviderAdapter } from '@gpu-shopper/providers';
import { AlertService, insertSession, LifecycleManager, ProviderRegistry, type SessionLeases, type WebhookNotifier } from '@gpu-shopper/services';
import { startSimulators, type RunningSimulators } from '@gpu-shopper/simulators';

export const FLEET_DEPLOYMENT_ID = 'bench';
const SSH_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBenchBenchBenchBenchBenchBenchBenchBenchBench bench';

export interface Fleet {
  sims: RunningSimulators;
  registry: ProviderRegistry;
  seedMs: number;
  lifecycle(leases?: SessionLeases): LifecycleManager;
}

/** One real instance per provider, made through its API: the template the seeded instances copy. */
async function templateInstance(adapter: ProviderAdapter): Promise<string> {
  const [offer] = await adapter.searchOffers({ gpu: '4090', diskGb: 100, limit: 5 });
  if (offer === undefined) throw new Error(`${adapter.name}: no 4090 offer to copy`);
  const created = await adapter.createInstance(offer, { image: 'ubuntu', diskGb: 100, env: {}, ports: [22, 8787], bootstrapScript: 'true', sshPublicKey: SSH_KEY, label: `gpu-shopper:${FLEET_DEPLOYMENT_ID}:template` });
  return created.instanceId;
}

export async function seedFleet(orm: Orm, clock: ManualClock, sessions: number): Promise<Fleet> {
  const sims = await startSimulators({ clock, vastApiKey: 'bench-vast', tensordockApiToken: 'bench-td', bootDelayMs: 0, nodePublicIp: '127.0.0.1' });
  const common = { clock, budget: RequestBudget.unlimited(), retry: { sleep: async () => {} } };
  const registry = new ProviderRegistry([new VastAiAdapter({ ...common, apiKey: 'bench-vast', baseUrl: sims.vastUrl }), new TensorDockAdapter({ ...common, apiKey: 'bench-td', baseUrl: sims.tensordockUrl })]);
  const vastTemplate = sims.vast.lifecycle.get(await templateInstance(registry.get('vastai')))!;
  const tdTemplate = sims.tensordock.lifecycle.get(await templateInstance(registry.get('tensordock')))!;

  const seedStartedAt = performance.now();
  for (let first = 0; first < sessions; first += 1_000) {
    const em = orm.em.fork();
    for (let index = first; index < Math.min(first + 1_000, sessions); index += 1) {
      const row = insertSession(em, clock, { consumerId: 'con_bench', workload: 'batch', reservationHours: 12, deploymentId: FLEET_DEPLOYMENT_ID, actor: 'bench' });
      const onVast = index % 2 === 0;
      const instanceId = onVast ? String(40_000_000 + index) : `${index.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;
      const pricing = { computePerHourUsd: 0.4, storagePerHourUsd: 0.01 };
      if (onVast) sims.vast.lifecycle.create(instanceId, { ...vastTemplate.data, label: row.label, portMappings: {} }, pricing);
      else sims.tensordock.lifecycle.create(instanceId, { ...tdTemplate.data, name: row.label }, pricing);
      Object.assign(row, { state: 'ready', provider: onVast ? 'vastai' : 'tensordock', providerInstanceId: instanceId, instanceState: 'running', lastHeartbeatAt: clock.now(), readyAt: clock.now(), nodeEndpoint: 'http://127.0.0.1:1' });
    }
    await em.flush();
  }
  // The templates were only patterns: gone before the measurement.
  sims.vast.lifecycle.destroy(vastTemplate.id);
  sims.tensordock.lifecycle.destroy(tdTemplate.id);
  const seedMs = performance.now() - seedStartedAt;

  const quiet: WebhookNotifier = { notify: async () => {} };
  return {
    sims,
    registry,
    seedMs,
    lifecycle: (leases) => new LifecycleManager({ orm, clock, providers: registry, alerts: new AlertService(clock, quiet, { warn: () => {} }), webhooks: quiet, deploymentId: FLEET_DEPLOYMENT_ID, leases }),
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

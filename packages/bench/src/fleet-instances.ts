// Creating a fleet's instances on the simulators: each copies one instance made through the
// provider's API (so it looks like any other), carrying its session's label.
import { ManualClock } from '@gpu-shopper/domain';
import { RequestBudget, TensorDockAdapter, VastAiAdapter, type ProviderAdapter } from '@gpu-shopper/providers';
import type { RunningSimulators } from '@gpu-shopper/simulators';

export const FLEET_KEYS = { vastai: 'bench-vast', tensordock: 'bench-td' } as const;
const SSH_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBenchBenchBenchBenchBenchBenchBenchBenchBench bench';
const PRICING = { computePerHourUsd: 0.4, storagePerHourUsd: 0.01 };

export interface FleetInstance {
  provider: 'vastai' | 'tensordock';
  instanceId: string;
  label: string;
}

/**
 * `requests: 'server'`: each provider's own request budget and the real waits between retries, as
 * the server's adapters have them (what the lifecycle under measurement uses); `'unlimited'`: no
 * budget and no waits (building the fleet, which is not measured).
 */
export function fleetAdapters(urls: { vastUrl: string; tensordockUrl: string }, clock = new ManualClock(new Date()), requests: 'server' | 'unlimited' = 'unlimited'): [VastAiAdapter, TensorDockAdapter] {
  const common = requests === 'server' ? { clock } : { clock, budget: RequestBudget.unlimited(), retry: { sleep: async () => {} } };
  return [new VastAiAdapter({ ...common, apiKey: FLEET_KEYS.vastai, baseUrl: urls.vastUrl }), new TensorDockAdapter({ ...common, apiKey: FLEET_KEYS.tensordock, baseUrl: urls.tensordockUrl })];
}

/** One real instance per provider, made through its API: the template the fleet's instances copy. */
async function templateInstance(adapter: ProviderAdapter): Promise<string> {
  const [offer] = await adapter.searchOffers({ gpu: '4090', diskGb: 100, limit: 5 });
  if (offer === undefined) throw new Error(`${adapter.name}: no 4090 offer to copy`);
  const created = await adapter.createInstance(offer, { image: 'ubuntu', diskGb: 100, env: {}, ports: [22, 8787], bootstrapScript: 'true', sshPublicKey: SSH_KEY, label: 'gpu-shopper:bench:template' });
  return created.instanceId;
}

export async function createFleetInstances(sims: RunningSimulators, instances: readonly FleetInstance[]): Promise<number> {
  const [vast, tensordock] = fleetAdapters(sims);
  const vastTemplate = sims.vast.lifecycle.get(await templateInstance(vast))!;
  const tdTemplate = sims.tensordock.lifecycle.get(await templateInstance(tensordock))!;
  for (const instance of instances) {
    if (instance.provider === 'vastai') sims.vast.lifecycle.create(instance.instanceId, { ...vastTemplate.data, label: instance.label, portMappings: {} }, PRICING);
    else sims.tensordock.lifecycle.create(instance.instanceId, { ...tdTemplate.data, name: instance.label }, PRICING);
  }
  // The templates were only patterns: gone before the measurement.
  sims.vast.lifecycle.destroy(vastTemplate.id);
  sims.tensordock.lifecycle.destroy(tdTemplate.id);
  return instances.length;
}

// Which providers the server buys from: the real APIs when keys are configured (environment first,
// then keys an operator stored), otherwise the simulators on loopback (simulation mode, announced
// loudly), whose instances boot real agent processes (the same node runtime as `npm run sim`).
import type { Clock, ProviderName } from '@gpu-shopper/domain';
import { TensorDockAdapter, VastAiAdapter, type ProviderAdapter } from '@gpu-shopper/providers';
import type { ProviderKeySource } from '@gpu-shopper/services';
import { AGENT_PORT } from '@gpu-shopper/services';
import type { ServerConfig } from './config';
import type { Logger } from './logger';

// The node runtime moved to the simulators package; these stay importable from here.
export { agentFiles, agentNodeRuntime } from '@gpu-shopper/simulators';

export interface ProviderSetup {
  adapters: ProviderAdapter[];
  sources: Record<ProviderName, ProviderKeySource>;
  /** Providers running against a local simulator rather than the real API. */
  simulated: ProviderName[];
  createAdapter(provider: ProviderName, key: string): ProviderAdapter;
  close(): Promise<void>;
}

const SIMULATOR_KEYS: Record<ProviderName, string> = { vastai: 'simulated-vastai-key', tensordock: 'simulated-tensordock-token' };
/** How often the simulators move their instances along (boot, stop) without being asked. */
const SIMULATED_BOOT_TICK_MS = 250;

export async function setUpProviders(
  config: ServerConfig,
  clock: Clock,
  logger: Logger,
  storedKeys: Partial<Record<ProviderName, string>>,
  simulation: { agentEnv?: Record<string, string> } = {},
): Promise<ProviderSetup> {
  const realUrls: Record<ProviderName, string | undefined> = { vastai: config.vastai.apiUrl ?? undefined, tensordock: config.tensordock.apiUrl ?? undefined };
  const createAdapter = (provider: ProviderName, key: string, baseUrl = realUrls[provider]): ProviderAdapter =>
    provider === 'vastai'
      ? new VastAiAdapter({ apiKey: key, baseUrl, clock, logger, timeoutMs: config.providerTimeoutMs })
      : new TensorDockAdapter({ apiKey: key, baseUrl, clock, logger, timeoutMs: config.providerTimeoutMs });

  const envKeys: Record<ProviderName, string | null> = { vastai: config.vastai.apiKey, tensordock: config.tensordock.apiToken };
  const sources = {} as Record<ProviderName, ProviderKeySource>;
  const adapters: ProviderAdapter[] = [];
  const simulated: ProviderName[] = [];
  for (const provider of ['vastai', 'tensordock'] as const) {
    const key = envKeys[provider] ?? storedKeys[provider] ?? null;
    if (key === null) {
      simulated.push(provider);
      sources[provider] = 'simulated';
      continue;
    }
    sources[provider] = envKeys[provider] !== null ? 'environment' : 'stored';
    adapters.push(createAdapter(provider, key));
  }

  let close = async () => {};
  if (simulated.length > 0) {
    // Loaded in simulation mode only: the simulators are a quarter of the server's bundle.
    const { startSimulatedAgentNodes, startSimulators } = await import('@gpu-shopper/simulators');
    const nodes = config.simulation.nodes === 'agent' ? await startSimulatedAgentNodes({ agentPort: AGENT_PORT, logger, agentEnv: simulation.agentEnv }) : null;
    const simulators = await startSimulators({
      clock,
      vastApiKey: SIMULATOR_KEYS.vastai,
      tensordockApiToken: SIMULATOR_KEYS.tensordock,
      bootDelayMs: config.simulation.bootDelayMs,
      // Instances boot on their own, as a real provider's do (not only when the next listing looks),
      // so a node's agent starts, and its session gets ready, about bootDelayMs after the create.
      tickIntervalMs: SIMULATED_BOOT_TICK_MS,
      onInstanceRunning: nodes?.onInstanceRunning,
      nodePublicIp: '127.0.0.1',
      log: (message) => logger.warn(`simulation: ${message}`),
    }).catch(async (error: unknown) => {
      await nodes?.close();
      throw error;
    });
    close = async () => {
      await simulators.close();
      await nodes?.close();
    };
    const urls: Record<ProviderName, string> = { vastai: simulators.vastUrl, tensordock: simulators.tensordockUrl };
    for (const provider of simulated) adapters.push(createAdapter(provider, SIMULATOR_KEYS[provider], urls[provider]));
  }
  return { adapters, sources, simulated, createAdapter: (provider, key) => createAdapter(provider, key), close };
}

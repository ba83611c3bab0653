// Which providers the server buys from: the real APIs when keys are configured, otherwise the
// simulators started on loopback (simulation mode, announced loudly).
import type { Clock } from '@gpu-shopper/domain';
import { VastAiAdapter } from '@gpu-shopper/providers';
import { startVastAiSimulator } from '@gpu-shopper/simulators';
import type { OfferSource } from '@gpu-shopper/services';
import type { ServerConfig } from './config';
import type { Logger } from './logger';

export interface ProviderSetup {
  adapters: OfferSource[];
  /** Providers running against a local simulator rather than the real API. */
  simulated: string[];
  close(): Promise<void>;
}

const SIMULATOR_KEY = 'simulated-vastai-key';

export async function setUpProviders(config: ServerConfig, clock: Clock, logger: Logger): Promise<ProviderSetup> {
  const closers: (() => Promise<void>)[] = [];
  const simulated: string[] = [];
  let vast: VastAiAdapter;
  if (config.vastai.apiKey !== null) {
    vast = new VastAiAdapter({ apiKey: config.vastai.apiKey, baseUrl: config.vastai.apiUrl ?? undefined, clock, logger });
  } else {
    const simulator = await startVastAiSimulator({ port: 0, apiKey: SIMULATOR_KEY, clock });
    closers.push(() => simulator.close());
    simulated.push('vastai');
    vast = new VastAiAdapter({ apiKey: SIMULATOR_KEY, baseUrl: simulator.url, clock, logger });
  }
  return {
    adapters: [vast],
    simulated,
    close: async () => {
      await Promise.all(closers.map((close) => close()));
    },
  };
}

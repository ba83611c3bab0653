// Starts the Vast.ai and TensorDock simulators together (tests, demos, `npm run sim`).
import type { Clock } from '@gpu-shopper/domain';
import type { OnInstanceRunning } from './runtime/node-runtime';
import { startTensorDockSimulator, type TensorDockSimulator } from './tensordock/simulator';
import { startVastAiSimulator, type VastAiSimulator } from './vastai/simulator';

export interface StartSimulatorsOptions {
  seed?: number;
  clock?: Clock;
  vastPort?: number;
  tensordockPort?: number;
  host?: string;
  vastApiKey?: string;
  tensordockApiToken?: string;
  /** Default 0 (tests); the CLI uses a few seconds. */
  bootDelayMs?: number;
  onInstanceRunning?: OnInstanceRunning;
  nodePublicIp?: string;
  tickIntervalMs?: number;
  vastOfferCount?: number;
  tensordockHostnodeCount?: number;
  tensordockRateLimitPerMinute?: number;
}

export interface RunningSimulators {
  vastUrl: string;
  tensordockUrl: string;
  vast: VastAiSimulator;
  tensordock: TensorDockSimulator;
  close(): Promise<void>;
}

export async function startSimulators(options: StartSimulatorsOptions = {}): Promise<RunningSimulators> {
  const common = { seed: options.seed, clock: options.clock, host: options.host, bootDelayMs: options.bootDelayMs, onInstanceRunning: options.onInstanceRunning, nodePublicIp: options.nodePublicIp, tickIntervalMs: options.tickIntervalMs };
  const vast = await startVastAiSimulator({ ...common, port: options.vastPort, apiKey: options.vastApiKey, offerCount: options.vastOfferCount });
  const tensordock = await startTensorDockSimulator({
    ...common,
    port: options.tensordockPort,
    apiToken: options.tensordockApiToken,
    hostnodeCount: options.tensordockHostnodeCount,
    rateLimitPerMinute: options.tensordockRateLimitPerMinute,
  }).catch(async (error: unknown) => {
    await vast.close();
    throw error;
  });
  return {
    vastUrl: vast.url,
    tensordockUrl: tensordock.url,
    vast,
    tensordock,
    close: async () => {
      await Promise.all([vast.close(), tensordock.close()]);
    },
  };
}

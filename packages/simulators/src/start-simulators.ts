// Starts the Vast.ai and TensorDock simulators together (tests, demos, `npm run sim`).
import { join } from 'node:path';
import type { Clock } from '@gpu-shopper/domain';
import type { OnInstanceRunning } from './runtime/node-runtime';
import { startTensorDockSimulator, type TensorDockSimulator } from './tensordock/simulator';
import { startVastAiSimulator, type VastAiSimulator } from './vastai/simulator';

export interface StartSimulatorsOptions {
  seed?: number;
  clock?: Clock;
  vastPort?: number;
  tensordockPort?: number;
  /** Per simulator: take any free port when its port is taken (a restart hoping for its old port). */
  anyPortIfTaken?: { vastai?: boolean; tensordock?: boolean };
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
  /** Keep instances, billing and id counters here across restarts (vastai.json, tensordock.json). */
  stateDir?: string;
  /** Simulator events worth an operator's eye (a node that died). */
  log?: (message: string) => void;
}

/** The state files of a state directory, one per simulator. */
export function simulatorStatePaths(stateDir: string): { vastai: string; tensordock: string } {
  return { vastai: join(stateDir, 'vastai.json'), tensordock: join(stateDir, 'tensordock.json') };
}

export interface RunningSimulators {
  vastUrl: string;
  tensordockUrl: string;
  vast: VastAiSimulator;
  tensordock: TensorDockSimulator;
  close(): Promise<void>;
}

export async function startSimulators(options: StartSimulatorsOptions = {}): Promise<RunningSimulators> {
  const common = {
    seed: options.seed,
    clock: options.clock,
    host: options.host,
    bootDelayMs: options.bootDelayMs,
    onInstanceRunning: options.onInstanceRunning,
    nodePublicIp: options.nodePublicIp,
    tickIntervalMs: options.tickIntervalMs,
    log: options.log,
  };
  const statePaths = options.stateDir === undefined ? null : simulatorStatePaths(options.stateDir);
  const vast = await startVastAiSimulator({ ...common, port: options.vastPort, anyPortIfTaken: options.anyPortIfTaken?.vastai, apiKey: options.vastApiKey, offerCount: options.vastOfferCount, statePath: statePaths?.vastai });
  const tensordock = await startTensorDockSimulator({
    ...common,
    port: options.tensordockPort,
    anyPortIfTaken: options.anyPortIfTaken?.tensordock,
    statePath: statePaths?.tensordock,
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

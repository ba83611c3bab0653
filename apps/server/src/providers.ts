// Which providers the server buys from: the real APIs when keys are configured (environment first,
// then keys an operator stored), otherwise the simulators on loopback (simulation mode, announced
// loudly), whose instances can boot real agent processes.
import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Clock, ProviderName } from '@gpu-shopper/domain';
import { TensorDockAdapter, VastAiAdapter, type ProviderAdapter } from '@gpu-shopper/providers';
import { startFakeLlmUpstream } from '@gpu-shopper/simulators/llm';
import { createSpawnRuntime, nodeEnvOf, startSimulators, type OnInstanceRunning } from '@gpu-shopper/simulators';
import type { ProviderKeySource } from '@gpu-shopper/services';
import { AGENT_PORT } from '@gpu-shopper/services';
import type { ServerConfig } from './config';
import type { Logger } from './logger';

export interface ProviderSetup {
  adapters: ProviderAdapter[];
  sources: Record<ProviderName, ProviderKeySource>;
  /** Providers running against a local simulator rather than the real API. */
  simulated: ProviderName[];
  createAdapter(provider: ProviderName, key: string): ProviderAdapter;
  close(): Promise<void>;
}

const SIMULATOR_KEYS: Record<ProviderName, string> = { vastai: 'simulated-vastai-key', tensordock: 'simulated-tensordock-token' };

/** The agent bundle and bootstrap script that nodes run (built by `npm run build -w @gpu-shopper/agent`). */
export function agentFiles(): { bundle: string; bootstrapScript: string } {
  const root = dirname(createRequire(import.meta.url).resolve('@gpu-shopper/agent/package.json'));
  return { bundle: join(root, 'dist', 'agent.js'), bootstrapScript: join(root, 'bootstrap', 'onstart.sh') };
}

export async function setUpProviders(config: ServerConfig, clock: Clock, logger: Logger, storedKeys: Partial<Record<ProviderName, string>>): Promise<ProviderSetup> {
  const realUrls: Record<ProviderName, string | undefined> = { vastai: config.vastai.apiUrl ?? undefined, tensordock: config.tensordock.apiUrl ?? undefined };
  const createAdapter = (provider: ProviderName, key: string, baseUrl = realUrls[provider]): ProviderAdapter =>
    provider === 'vastai' ? new VastAiAdapter({ apiKey: key, baseUrl, clock, logger }) : new TensorDockAdapter({ apiKey: key, baseUrl, clock, logger });

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
    // Simulated llm nodes have no GPU to run vLLM on: their agents proxy to a deterministic fake model.
    const llm = config.simulation.nodes === 'agent' ? await startFakeLlmUpstream({ modelId: 'simulated-echo', anyModel: true }) : null;
    const simulators = await startSimulators({
      clock,
      vastApiKey: SIMULATOR_KEYS.vastai,
      tensordockApiToken: SIMULATOR_KEYS.tensordock,
      bootDelayMs: config.simulation.bootDelayMs,
      onInstanceRunning: simulatedNodes(config, logger, llm === null ? {} : { AGENT_LLM_COMMAND: '', AGENT_LLM_UPSTREAM_URL: llm.url }),
      nodePublicIp: '127.0.0.1',
    });
    close = async () => {
      await simulators.close();
      await llm?.close();
    };
    const urls: Record<ProviderName, string> = { vastai: simulators.vastUrl, tensordock: simulators.tensordockUrl };
    for (const provider of simulated) adapters.push(createAdapter(provider, SIMULATOR_KEYS[provider], urls[provider]));
  }
  return { adapters, sources, simulated, createAdapter: (provider, key) => createAdapter(provider, key), close };
}

/** In simulation, a running instance starts our real agent as a local process, as a node would. */
function simulatedNodes(config: ServerConfig, logger: Logger, extraEnv: Record<string, string>): OnInstanceRunning | undefined {
  if (config.simulation.nodes === 'none') return undefined;
  return agentNodeRuntime({ logger, extraEnv }) ?? undefined;
}

export interface AgentNodeRuntimeOptions {
  logger: Logger;
  /** Extra agent env on top of the node's own (tests: a short heartbeat interval, a fake LLM engine). */
  extraEnv?: Record<string, string>;
  onOutput?: (instanceId: string, chunk: string) => void;
}

/**
 * Starts the agent for each simulated instance that reaches running, with the env the node got from
 * the create request (Vast env, TensorDock cloud-init exports); only where it listens differs on one
 * machine. Null when no way to run the agent exists.
 */
export function agentNodeRuntime(options: AgentNodeRuntimeOptions): OnInstanceRunning | null {
  const launcher = agentLauncher(options.logger);
  if (launcher === null) return null;
  return createSpawnRuntime({
    command: (launch) => ({
      command: 'env',
      args: [
        ...Object.entries({ ...nodeEnvOf(launch), ...options.extraEnv }).map(([name, value]) => `${name}=${value}`),
        `AGENT_PORT=${launch.portMappings[AGENT_PORT] ?? 0}`,
        'AGENT_HOST=127.0.0.1',
        `AGENT_WORKSPACE=${mkdtempSync(join(tmpdir(), `gpu-shopper-node-${launch.instanceId}-`))}`,
        `VASTAI_API_URL=${launch.providerApiUrl}`,
        process.execPath,
        ...launcher,
      ],
    }),
    onOutput: options.onOutput ? (launch, chunk) => options.onOutput?.(launch.instanceId, chunk) : undefined,
  });
}

/**
 * How to run the agent: the bundle when it is at least as new as the sources, else the sources
 * through tsx (a checkout without a build, CI), else a stale bundle (with a warning).
 */
function agentLauncher(logger: Logger): string[] | null {
  const { bundle } = agentFiles();
  const sourceDir = join(dirname(bundle), '..', 'src');
  const mainSource = join(sourceDir, 'main.ts');
  const bundleMs = existsSync(bundle) ? statSync(bundle).mtimeMs : null;
  const hasSources = existsSync(mainSource);
  if (bundleMs !== null && (!hasSources || newestMtimeMs(sourceDir) <= bundleMs)) return [bundle];
  const tsxLoader = resolveTsxLoader();
  if (hasSources && tsxLoader !== null) return ['--import', tsxLoader, mainSource];
  if (bundleMs !== null) {
    logger.warn(`simulation: the agent bundle ${bundle} is older than its sources (npm run build -w @gpu-shopper/agent)`);
    return [bundle];
  }
  logger.warn(`simulation: no agent bundle at ${bundle} (npm run build -w @gpu-shopper/agent); simulated nodes will not boot an agent`);
  return null;
}

function newestMtimeMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** tsx's ESM loader as a file URL for `node --import` (a bare "tsx" would resolve from the cwd). */
function resolveTsxLoader(): string | null {
  try {
    const packageJson = createRequire(import.meta.url).resolve('tsx/package.json');
    const loader = join(dirname(packageJson), 'dist', 'loader.mjs');
    return existsSync(loader) ? pathToFileURL(loader).href : null;
  } catch {
    return null;
  }
}

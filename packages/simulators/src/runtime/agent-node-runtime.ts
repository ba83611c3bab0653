// Simulated nodes that run our real agent as a local process, as a node would: used by the server's
// in-process simulation (`npm start` without provider keys), the end-to-end tests and `npm run sim`.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { defaultNodeUser, EXECUTE_BIT, READ_BIT, unreachableFiles, type NodeUser } from './node-sandbox';
import { createSpawnRuntime, nodeEnvOf, type OnInstanceRunning, type SimNodeLaunch } from './node-runtime';

export interface AgentNodeLogger {
  warn(message: string): void;
}

/** The agent bundle and bootstrap script that nodes run (built by `npm run build -w @gpu-shopper/agent`). */
export function agentFiles(): { bundle: string; bootstrapScript: string } {
  const root = dirname(createRequire(import.meta.url).resolve('@gpu-shopper/agent/package.json'));
  return { bundle: join(root, 'dist', 'agent.js'), bootstrapScript: join(root, 'bootstrap', 'onstart.sh') };
}

export interface AgentNodeRuntimeOptions {
  /**
   * The agent's port inside the node when the node's env names none. The server's nodes carry
   * AGENT_PORT in their env (that is what the real agent listens on), and that wins.
   */
  agentPort?: number;
  /**
   * Extra agent env on top of the node's own (tests: a short heartbeat interval, a fake LLM engine),
   * or a function of the node's env, for what differs per node (the engine of the model it was given).
   */
  extraEnv?: Record<string, string> | ((nodeEnv: Record<string, string>) => Record<string, string>);
  onOutput?: (launch: SimNodeLaunch, chunk: string) => void;
  logger?: AgentNodeLogger;
  /** Who the nodes run as (see SpawnRuntimeOptions.user): default `nobody` when we are root. */
  user?: NodeUser | null;
}

/**
 * Starts the agent for each simulated instance that reaches running, with the env the node got from
 * the create request (Vast env, TensorDock cloud-init exports); only where it listens differs on one
 * machine: on 127.0.0.1, at the external port the provider mapped the agent's port to. Null when no
 * way to run the agent exists.
 */
export function agentNodeRuntime(options: AgentNodeRuntimeOptions = {}): OnInstanceRunning | null {
  const launcher = agentLauncher(options.logger);
  if (launcher === null) return null;
  const user = options.user === undefined ? defaultNodeUser() : options.user;
  warnAboutContainment(user, launcher, options.logger);
  return createSpawnRuntime({
    // The agent is the node's main process here: if it exits, the container has exited.
    mainProcess: true,
    user,
    command: (launch, { workspace }) => {
      const nodeEnv = nodeEnvOf(launch);
      const env = { ...nodeEnv, ...(typeof options.extraEnv === 'function' ? options.extraEnv(nodeEnv) : options.extraEnv) };
      const internalPort = Number(env.AGENT_PORT ?? options.agentPort);
      return {
        command: process.execPath,
        args: launcher,
        env: {
          ...env,
          AGENT_PORT: String(launch.portMappings[internalPort] ?? 0),
          AGENT_HOST: '127.0.0.1',
          // A simulated node is a process on the operator's own machine: its dead-man switch must
          // end the node (its agent), never power the host off.
          AGENT_POWEROFF_COMMAND: 'kill -TERM $PPID',
          AGENT_WORKSPACE: workspace,
          VASTAI_API_URL: launch.providerApiUrl,
        },
      };
    },
    onOutput: options.onOutput,
  });
}

/**
 * Says, once, what the sandbox cannot do here: as ourselves (not root), a node's jobs can read
 * whatever we can; as another user, the agent's files must be readable by that user.
 */
function warnAboutContainment(user: NodeUser | null, launcher: string[], logger: AgentNodeLogger | undefined): void {
  if (user === null) {
    logger?.warn(
      `simulation: simulated nodes run as this server's own user (uid ${process.getuid?.() ?? '?'}): their env is their own, but their jobs can read any file this user can, the data directory included; run the server as root (nodes then run as an unprivileged user) or run simulation in a container (see packages/simulators/src/runtime/SANDBOX.md)`,
    );
    return;
  }
  const files = [process.execPath, ...launcher.filter((arg) => arg !== '--import')].map((arg) => (arg.startsWith('file:') ? fileURLToPath(arg) : arg));
  const unreachable = unreachableFiles(user, files.map((path) => ({ path, bits: path === process.execPath ? EXECUTE_BIT : READ_BIT })));
  if (unreachable.length > 0) {
    logger?.warn(`simulation: simulated nodes run as uid ${user.uid}, which cannot read ${unreachable.join(', ')}: their agents will not start (make these readable, or see packages/simulators/src/runtime/SANDBOX.md)`);
  }
}

/**
 * How to run the agent: the bundle when it is at least as new as the sources, else the sources
 * through tsx (a checkout without a build, CI), else a stale bundle (with a warning).
 */
export function agentLauncher(logger?: AgentNodeLogger): string[] | null {
  const { bundle } = agentFiles();
  const sourceDir = join(dirname(bundle), '..', 'src');
  const mainSource = join(sourceDir, 'main.ts');
  const bundleMs = existsSync(bundle) ? statSync(bundle).mtimeMs : null;
  const hasSources = existsSync(mainSource);
  if (bundleMs !== null && (!hasSources || newestMtimeMs(sourceDir) <= bundleMs)) return [bundle];
  const tsxLoader = resolveTsxLoader();
  if (hasSources && tsxLoader !== null) return ['--import', tsxLoader, mainSource];
  if (bundleMs !== null) {
    logger?.warn(`simulation: the agent bundle ${bundle} is older than its sources (npm run build -w @gpu-shopper/agent)`);
    return [bundle];
  }
  logger?.warn(`simulation: no agent bundle at ${bundle} (npm run build -w @gpu-shopper/agent); simulated nodes will not boot an agent`);
  return null;
}

/** The newest modification time of the .ts files under `dir` (0 when none). */
export function newestMtimeMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** tsx's ESM loader as a file URL for `node --import` (a bare "tsx" would resolve from the cwd). */
export function resolveTsxLoader(): string | null {
  try {
    const packageJson = createRequire(import.meta.url).resolve('tsx/package.json');
    const loader = join(dirname(packageJson), 'dist', 'loader.mjs');
    return existsSync(loader) ? pathToFileURL(loader).href : null;
  } catch {
    return null;
  }
}

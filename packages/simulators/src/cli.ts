// `npm run sim`: both provider simulators as a process of their own, with real agent nodes as in the
// server's in-process simulation, and (with --state-dir) instances, billing, ids, keys and ports that
// survive a restart. Prints the URLs and keys a server needs, then "SIMULATORS READY" (see --help).
import { readCliState, generateKey, writeCliState } from './cli/cli-state';
import { ConsoleOutput } from './cli/console-output';
import { parseSimCliOptions, SIM_HELP, SimUsageError, type SimCliOptions } from './cli/options';
import { startSimulatedAgentNodes, type SimulatedAgentNodes } from './runtime/simulated-agent-nodes';
import { StateMismatchError } from './shared/instance-snapshot';
import { startSimulators, type RunningSimulators } from './start-simulators';

/** Ticks on a timer so booting instances reach running (and get their nodes) with no one asking. */
const TICK_INTERVAL_MS = 250;
/** Where the agent listens inside a node whose env names no AGENT_PORT (our server always names one). */
const FALLBACK_AGENT_PORT = 8787;

async function run(options: SimCliOptions, output: ConsoleOutput): Promise<{ sims: RunningSimulators; nodes: SimulatedAgentNodes | null }> {
  const previous = readCliState(options.stateDir);
  const seed = options.seed ?? previous.seed ?? 1;
  const vastApiKey = options.vastApiKey ?? previous.vastApiKey ?? generateKey('simvast');
  const tensordockApiToken = options.tensordockApiToken ?? previous.tensordockApiToken ?? generateKey('simtd');
  const nodes =
    options.nodes === 'agent'
      ? await startSimulatedAgentNodes({
          agentPort: FALLBACK_AGENT_PORT,
          logger: { warn: (message) => output.line('[sim]', message) },
          onOutput: (launch, chunk) => output.chunk(`[${launch.provider}:${launch.instanceId}]`, chunk),
        })
      : null;
  // An explicit port must be had; otherwise the previous run's port (a server may still point there) if free.
  const sims = await startSimulators({
    seed,
    host: options.host,
    vastPort: options.vastPort || previous.vastPort || 0,
    tensordockPort: options.tensordockPort || previous.tensordockPort || 0,
    anyPortIfTaken: { vastai: options.vastPort === 0, tensordock: options.tensordockPort === 0 },
    vastApiKey,
    tensordockApiToken,
    bootDelayMs: options.bootDelayMs,
    tickIntervalMs: TICK_INTERVAL_MS,
    tensordockRateLimitPerMinute: options.tensordockRateLimitPerMinute,
    nodePublicIp: '127.0.0.1',
    onInstanceRunning: nodes?.onInstanceRunning,
    stateDir: options.stateDir ?? undefined,
    log: (message) => output.line('[sim]', message),
  }).catch(async (error: unknown) => {
    await nodes?.close();
    throw error;
  });
  writeCliState(options.stateDir, { seed, vastApiKey, tensordockApiToken, vastPort: Number(new URL(sims.vastUrl).port), tensordockPort: Number(new URL(sims.tensordockUrl).port) });
  output.announce([
    `VASTAI_API_URL=${sims.vastUrl}`,
    `VASTAI_API_KEY=${vastApiKey}`,
    `TENSORDOCK_API_URL=${sims.tensordockUrl}`,
    `TENSORDOCK_API_TOKEN=${tensordockApiToken}`,
    'SIMULATORS READY',
  ]);
  if (nodes !== null && nodes.onInstanceRunning === undefined) output.line('[sim]', 'no way to run the agent here: instances run without nodes');
  return { sims, nodes };
}

function main(): void {
  let options: SimCliOptions | null;
  try {
    options = parseSimCliOptions(process.argv.slice(2), process.env);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${SIM_HELP}`);
    process.exit(2);
  }
  if (options === null) {
    process.stdout.write(SIM_HELP);
    return;
  }
  const output = new ConsoleOutput();
  const started = run(options, output);
  started.catch((error: unknown) => {
    process.stderr.write(`npm run sim: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(error instanceof StateMismatchError || error instanceof SimUsageError ? 2 : 1);
  });
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    output.line('[sim]', `${signal}: saving state and stopping nodes`);
    void started
      .then(async ({ sims, nodes }) => {
        await sims.close();
        await nodes?.close();
      })
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main();

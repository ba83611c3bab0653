// `npm run sim`: both provider simulators on fixed loopback ports, with a demo boot delay.
// Env: SIM_VAST_PORT, SIM_TENSORDOCK_PORT, SIM_SEED, SIM_BOOT_DELAY_MS, SIM_VAST_API_KEY, SIM_TENSORDOCK_TOKEN, SIM_NODE_COMMAND.
import { createSpawnRuntime } from './runtime/node-runtime';
import { startSimulators } from './start-simulators';

const env = process.env;
const nodeCommand = env.SIM_NODE_COMMAND;
const sims = await startSimulators({
  seed: Number(env.SIM_SEED ?? 1),
  vastPort: Number(env.SIM_VAST_PORT ?? 4710),
  tensordockPort: Number(env.SIM_TENSORDOCK_PORT ?? 4711),
  bootDelayMs: Number(env.SIM_BOOT_DELAY_MS ?? 5_000),
  vastApiKey: env.SIM_VAST_API_KEY,
  tensordockApiToken: env.SIM_TENSORDOCK_TOKEN,
  tickIntervalMs: 250,
  tensordockRateLimitPerMinute: 100,
  // With SIM_NODE_COMMAND set, each running instance gets that command with the node's env (else its bootstrap runs).
  onInstanceRunning: createSpawnRuntime({
    command: nodeCommand ? () => ({ command: 'sh', args: ['-c', nodeCommand] }) : undefined,
    onOutput: (launch, chunk) => process.stdout.write(`[${launch.provider}:${launch.instanceId}] ${chunk}`),
  }),
});
console.log(`VASTAI_API_URL=${sims.vastUrl}`);
console.log(`TENSORDOCK_API_URL=${sims.tensordockUrl}`);
console.log('Admin: GET /__admin/instances, GET /__admin/billing, PUT|DELETE /__admin/faults on each.');

const shutdown = async () => {
  await sims.close();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());

// `npm run sim` options: each flag has an environment variable (the flag wins), validated up front so
// a typo stops the simulator with a message naming the flag instead of a half-started simulation.
import { parseArgs } from 'node:util';

export interface SimCliOptions {
  stateDir: string | null;
  /** Null: the state dir's seed, else 1. */
  seed: number | null;
  bootDelayMs: number;
  /** 0: the port the state dir remembers when it is free, else one the OS picks. */
  vastPort: number;
  tensordockPort: number;
  host: string;
  vastApiKey: string | null;
  tensordockApiToken: string | null;
  nodes: 'agent' | 'none';
  /** TensorDock's documented 100 by default, as in the server's in-process simulation; 0: off. */
  tensordockRateLimitPerMinute: number;
}

export const SIM_HELP = `Usage: npm run sim -- [options]

Runs the Vast.ai and TensorDock API simulators as one process. Running instances boot our real agent
as a local process (as \`npm start\` does in simulation mode). Point a server at them with the four
lines printed on start:

  VASTAI_API_URL=...  VASTAI_API_KEY=...  TENSORDOCK_API_URL=...  TENSORDOCK_API_TOKEN=...
  SIMULATORS READY

Options (each also read from the environment variable shown):
  --state-dir <dir>          SIM_STATE_DIR          keep instances, billing, ids, keys and ports here
                                                    across restarts (default: nothing is kept)
  --seed <n>                 SIM_SEED               catalog seed (default: the state dir's, else 1)
  --boot-delay-ms <ms>       SIM_BOOT_DELAY_MS      create -> running (default 3000)
  --vast-port <port>         SIM_VAST_PORT          default 0: the previous port if free, else any
  --tensordock-port <port>   SIM_TENSORDOCK_PORT    default 0: the previous port if free, else any
  --host <address>           SIM_HOST               where the APIs listen (default 127.0.0.1)
  --vast-api-key <key>       SIM_VAST_API_KEY       default: generated once, kept in the state dir
  --tensordock-token <token> SIM_TENSORDOCK_TOKEN   default: generated once, kept in the state dir
  --nodes agent|none         SIM_NODES              boot a real agent per running instance (default agent)
  --tensordock-rate-limit <n> SIM_TENSORDOCK_RATE_LIMIT  requests per minute, 0 = off (default 100)
  --help                                            this text

Admin routes on each simulator: GET /__admin/instances, GET /__admin/billing, PUT|DELETE /__admin/faults,
POST /__admin/instances/:id/vanish|stop|exit, POST /__admin/release-stuck.
SIGTERM or SIGINT saves the state, stops the node processes and exits 0.

Example:
  npm run sim -- --state-dir ./data/sim --boot-delay-ms 1000
`;

export class SimUsageError extends Error {}

const FLAGS = {
  'state-dir': 'SIM_STATE_DIR',
  seed: 'SIM_SEED',
  'boot-delay-ms': 'SIM_BOOT_DELAY_MS',
  'vast-port': 'SIM_VAST_PORT',
  'tensordock-port': 'SIM_TENSORDOCK_PORT',
  host: 'SIM_HOST',
  'vast-api-key': 'SIM_VAST_API_KEY',
  'tensordock-token': 'SIM_TENSORDOCK_TOKEN',
  nodes: 'SIM_NODES',
  'tensordock-rate-limit': 'SIM_TENSORDOCK_RATE_LIMIT',
} as const;

type Flag = keyof typeof FLAGS;

/** Null for --help; throws SimUsageError on a bad flag or value. */
export function parseSimCliOptions(argv: string[], env: NodeJS.ProcessEnv): SimCliOptions | null {
  let values: Record<string, string | boolean | undefined>;
  try {
    const options = Object.fromEntries(Object.keys(FLAGS).map((flag) => [flag, { type: 'string' as const }]));
    values = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean' } }, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new SimUsageError((error as Error).message);
  }
  if (values.help === true) return null;
  const raw = (flag: Flag): string | undefined => {
    const value = (values[flag] as string | undefined) ?? env[FLAGS[flag]];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  const integer = (flag: Flag, fallback: number, max = Number.MAX_SAFE_INTEGER): number => {
    const value = raw(flag);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!/^\d+$/.test(value) || parsed > max) throw new SimUsageError(`--${flag} (${FLAGS[flag]}): "${value}" is not an integer from 0 to ${max}`);
    return parsed;
  };
  const nodes = raw('nodes') ?? 'agent';
  if (nodes !== 'agent' && nodes !== 'none') throw new SimUsageError(`--nodes (SIM_NODES): "${nodes}" is not agent or none`);
  return {
    stateDir: raw('state-dir') ?? null,
    seed: raw('seed') === undefined ? null : integer('seed', 1),
    bootDelayMs: integer('boot-delay-ms', 3_000),
    vastPort: integer('vast-port', 0, 65_535),
    tensordockPort: integer('tensordock-port', 0, 65_535),
    host: raw('host') ?? '127.0.0.1',
    vastApiKey: raw('vast-api-key') ?? null,
    tensordockApiToken: raw('tensordock-token') ?? null,
    nodes,
    tensordockRateLimitPerMinute: integer('tensordock-rate-limit', 100),
  };
}

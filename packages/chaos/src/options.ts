// The harness's options: command-line flags parsed and checked once, with the defaults a plain
// `npm run chaos` runs with. Everything downstream takes a complete ChaosOptions.
import { parseArgs } from 'node:util';

export const FAULT_KINDS = ['rate-limit', 'server-error', 'timeout', 'create-errors-but-creates', 'hanging-destroy', 'vanish'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const DATABASES = ['sqlite', 'postgres'] as const;
export type DatabaseKind = (typeof DATABASES)[number];

export interface SecondsRange {
  min: number;
  max: number;
}

export interface ChaosOptions {
  /** SIGKILLs during the run (each of one replica, drawn at random). */
  kills: number;
  /** Server processes on the one database; more than one needs PostgreSQL. */
  replicas: number;
  database: DatabaseKind;
  /**
   * A PostgreSQL server the harness may create (and drop) a scratch database on; null: the one in
   * GPU_SHOPPER_TEST_POSTGRES_URL, else 127.0.0.1:5432, else an embedded one started for the run.
   */
  postgresUrl: string | null;
  /** Concurrent provisions fired at one consumer's blocking budget before the chaos phase (0: skip the check). */
  budgetProvisions: number;
  /** How many of those the budget is sized to let through (below the replicas, the first wave already tests the lock). */
  budgetFits: number;
  /** Sessions provisioned (REST and CLI together). */
  sessions: number;
  /** Of those, how many go through the `gpu-shopper` CLI (provision and done). */
  cliSessions: number;
  faults: FaultKind[];
  /** Which providers sessions are provisioned on (alternating). */
  providers: ('vastai' | 'tensordock')[];
  /** Length of the chaos phase (sessions start, kills and faults happen within it); settling comes after. */
  durationSeconds: number;
  seed: number;
  /** The server's lifecycle tick (GPU_SHOPPER_TICK_SECONDS). */
  tickSeconds: number;
  /** How long a session lives before the harness ends it. */
  lifetimeSeconds: SecondsRange;
  /** How long the server stays dead after each kill before it is started again. */
  downSeconds: SecondsRange;
  /** How long each injected provider fault lasts before it is cleared. */
  faultSeconds: SecondsRange;
  /** Create requests replayed (same key, same body) after each restart. */
  replaysPerKill: number;
  /** An orphan or ghost counts once it outlives this many ticks (plus server downtime and provider blindness). */
  graceTicks: number;
  /** Upper bound on the settle phase. */
  settleSeconds: number;
  /** How long a (re)started server may take to announce itself (crash recovery runs first). */
  startTimeoutSeconds: number;
  /** The simulators' instance boot time. */
  bootDelayMs: number;
  /** Added latency for the "timeout" fault: more than the provider adapters' request timeout (30 s). */
  timeoutLatencyMs: number;
  /**
   * Hold orphans and ghosts to the strict measure (provider outages are not excused, only server
   * downtime), and every session's cost to 1% (no allowance for an instance end no server could see).
   */
  strictInvariants: boolean;
  json: boolean;
  /** Keep the temp dir (database, logs) and print where it is. */
  keep: boolean;
  /** Progress lines on stderr. */
  verbose: boolean;
}

export const DEFAULT_KILLS = 30;

export function defaultOptions(overrides: Partial<ChaosOptions> = {}): ChaosOptions {
  const kills = overrides.kills ?? DEFAULT_KILLS;
  const sessions = overrides.sessions ?? Math.max(4, Math.round(kills * 1.5));
  return {
    kills,
    replicas: 1,
    database: 'sqlite',
    postgresUrl: null,
    budgetProvisions: 50,
    budgetFits: 1,
    sessions,
    cliSessions: Math.min(sessions, Math.max(1, Math.round(sessions / 8))),
    faults: [...FAULT_KINDS],
    providers: ['vastai', 'tensordock'],
    durationSeconds: Math.max(45, kills * 12),
    seed: Math.floor(Math.random() * 2 ** 31),
    tickSeconds: 1,
    lifetimeSeconds: { min: 60, max: 150 },
    downSeconds: { min: 0, max: 2 },
    faultSeconds: { min: 3, max: 10 },
    replaysPerKill: 2,
    graceTicks: 3,
    settleSeconds: 180,
    startTimeoutSeconds: 240,
    bootDelayMs: 1_500,
    timeoutLatencyMs: 8_000,
    strictInvariants: false,
    json: false,
    keep: false,
    verbose: false,
    ...overrides,
  };
}

export const HELP = `Usage: npm run chaos -- [options]

Kills the gpu-shopper server (SIGKILL) at random moments while sessions are provisioned and ended
through REST and the CLI, injects provider faults into the simulators, then settles and checks:
zero orphaned instances, zero ghost sessions, each session's cost within 1% of the provider's bill
(total within 0.5%), no duplicate session from replayed idempotency keys, every webhook event
delivered once to the operators' webhook, and no budget overshoot when concurrent provisions hit
a blocking budget. With --replicas N (PostgreSQL), each kill takes one replica at random and at
least 99% of API requests must be answered by some replica. Exits 1 when a goal is missed.

Options:
  --kills N              server SIGKILLs during the run, each of a replica drawn at random (default ${DEFAULT_KILLS})
  --replicas N           server processes sharing one database; requests go round-robin, the next
                         replica is tried when one refuses the connection or answers 502/503 (default 1)
  --database KIND        sqlite or postgres (default sqlite; --replicas above 1 needs postgres). With
                         postgres a scratch database is created and dropped at the end (kept with --keep)
  --postgres-url URL     an admin URL of the PostgreSQL server for the scratch database (default
                         GPU_SHOPPER_TEST_POSTGRES_URL, else 127.0.0.1:5432, else an embedded server)
  --budget-provisions N  concurrent provisions fired at one consumer's block budget before the chaos
                         phase, spread over the replicas (default 50; 0 skips the budget check)
  --budget-fits K        the budget is sized so that K of them fit (default 1: any two replicas that
                         check at once without serializing between them overshoot it)
  --sessions N           sessions to provision (default 1.5 x kills, at least 4)
  --cli-sessions N       of those, provisioned and ended through the gpu-shopper CLI (default sessions/8)
  --providers LIST       where sessions go, alternating: vastai, tensordock or both (default both)
  --faults LIST          comma list of ${FAULT_KINDS.join(', ')}; "all" or "none" (default all)
  --duration SECONDS     length of the chaos phase (default 12 x kills, at least 45)
  --seed N               seed for every random choice the harness makes (default random, printed)
  --tick-seconds N       the server's lifecycle tick (default 1)
  --lifetime SECONDS     session lifetime before the harness ends it, "MIN-MAX" or one number (default 60-150)
  --down SECONDS         how long the server stays dead after a kill, "MIN-MAX" (default 0-2)
  --fault-seconds S      how long each provider fault lasts, "MIN-MAX" (default 3-10)
  --replays N            create requests replayed with the same idempotency key after each restart (default 2)
  --grace-ticks N        ticks an orphan or ghost may last (beyond server downtime) before it counts (default 3;
                         with several replicas the lease TTL is added: a dead replica's sessions wait for it)
  --settle SECONDS       bound on the settle phase (default 180)
  --start-timeout S      how long a restarted server may take to announce itself (default 240)
  --boot-delay-ms N      the simulators' instance boot time (default 1500)
  --timeout-latency-ms N latency injected by the "timeout" fault (default 8000, beyond the server's 5 s provider timeout)
  --strict               orphans and ghosts: excuse server downtime only, not provider outages
                         (429 storms, 5xx, timeouts) during which the server could not see them;
                         costs: every session within 1%, even one whose TensorDock instance ended
                         while no server was up (by default it may be off by half that outage)
  --json                 print the result as JSON
  --keep                 keep the temp dir (database, server and simulator logs)
  --verbose              progress on stderr
  --help                 this text
`;

export class OptionsError extends Error {}

export type ParsedArgs = { help: true } | { help: false; options: ChaosOptions };

export function parseChaosArgs(argv: readonly string[]): ParsedArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        kills: { type: 'string' },
        replicas: { type: 'string' },
        database: { type: 'string' },
        'postgres-url': { type: 'string' },
        'budget-provisions': { type: 'string' },
        'budget-fits': { type: 'string' },
        sessions: { type: 'string' },
        'cli-sessions': { type: 'string' },
        faults: { type: 'string' },
        providers: { type: 'string' },
        duration: { type: 'string' },
        seed: { type: 'string' },
        'tick-seconds': { type: 'string' },
        lifetime: { type: 'string' },
        down: { type: 'string' },
        'fault-seconds': { type: 'string' },
        replays: { type: 'string' },
        'grace-ticks': { type: 'string' },
        settle: { type: 'string' },
        'start-timeout': { type: 'string' },
        'boot-delay-ms': { type: 'string' },
        'timeout-latency-ms': { type: 'string' },
        strict: { type: 'boolean' },
        json: { type: 'boolean' },
        keep: { type: 'boolean' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new OptionsError((error as Error).message);
  }
  if (values.help === true) return { help: true };
  const text = (name: string) => values[name] as string | undefined;
  const overrides: Partial<ChaosOptions> = {};
  const set = <K extends keyof ChaosOptions>(key: K, value: ChaosOptions[K] | undefined) => {
    if (value !== undefined) overrides[key] = value;
  };
  set('kills', integer('--kills', text('kills'), 0));
  set('sessions', integer('--sessions', text('sessions'), 1));
  set('replicas', integer('--replicas', text('replicas'), 1));
  set('database', databaseKind(text('database')));
  set('postgresUrl', postgresUrl(text('postgres-url')));
  set('budgetProvisions', integer('--budget-provisions', text('budget-provisions'), 0));
  set('budgetFits', integer('--budget-fits', text('budget-fits'), 1));
  set('seed', integer('--seed', text('seed'), 0));
  set('tickSeconds', decimal('--tick-seconds', text('tick-seconds'), 1));
  set('durationSeconds', decimal('--duration', text('duration'), 5));
  set('replaysPerKill', integer('--replays', text('replays'), 0));
  set('graceTicks', integer('--grace-ticks', text('grace-ticks'), 1));
  set('settleSeconds', decimal('--settle', text('settle'), 5));
  set('startTimeoutSeconds', decimal('--start-timeout', text('start-timeout'), 5));
  set('bootDelayMs', integer('--boot-delay-ms', text('boot-delay-ms'), 0));
  set('timeoutLatencyMs', integer('--timeout-latency-ms', text('timeout-latency-ms'), 1));
  set('lifetimeSeconds', range('--lifetime', text('lifetime'), 1));
  set('downSeconds', range('--down', text('down'), 0));
  set('faultSeconds', range('--fault-seconds', text('fault-seconds'), 1));
  set('faults', faultList(text('faults')));
  set('providers', providerList(text('providers')));
  if (values.strict === true) overrides.strictInvariants = true;
  if (values.json === true) overrides.json = true;
  if (values.keep === true) overrides.keep = true;
  if (values.verbose === true) overrides.verbose = true;
  const options = defaultOptions(overrides);
  const cliSessions = integer('--cli-sessions', text('cli-sessions'), 0);
  if (cliSessions !== undefined) {
    if (cliSessions > options.sessions) throw new OptionsError(`--cli-sessions (${cliSessions}) cannot exceed --sessions (${options.sessions})`);
    options.cliSessions = cliSessions;
  }
  const problem = optionsProblem(options);
  if (problem !== null) throw new OptionsError(problem);
  return { help: false, options };
}

/** What makes a complete set of options unusable together (the CLI and `runChaos` both check). */
export function optionsProblem(options: Pick<ChaosOptions, 'replicas' | 'database' | 'budgetProvisions' | 'budgetFits' | 'postgresUrl'>): string | null {
  if (!Number.isInteger(options.replicas) || options.replicas < 1) return `--replicas: expected a whole number of at least 1 (got ${options.replicas})`;
  // SQLite is the one-replica mode: the server locks its file, a second process refuses to start.
  if (options.replicas > 1 && options.database !== 'postgres') return `--replicas ${options.replicas} needs --database postgres (SQLite is the one-replica mode)`;
  if (options.postgresUrl !== null && options.database !== 'postgres') return '--postgres-url needs --database postgres';
  if (options.budgetProvisions > 0 && options.budgetFits >= options.budgetProvisions) return `--budget-fits (${options.budgetFits}) must be below --budget-provisions (${options.budgetProvisions}), or the budget blocks nothing`;
  return null;
}

function integer(flag: string, raw: string | undefined, min: number): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\s*\d+\s*$/.test(raw) || Number(raw) < min) throw new OptionsError(`${flag}: expected a whole number of at least ${min} (got ${JSON.stringify(raw)})`);
  return Number(raw);
}

function decimal(flag: string, raw: string | undefined, min: number): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < min) throw new OptionsError(`${flag}: expected a number of at least ${min} (got ${JSON.stringify(raw)})`);
  return value;
}

/** "10-60" or "30" (a fixed value). */
function range(flag: string, raw: string | undefined, min: number): SecondsRange | undefined {
  if (raw === undefined) return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:-\s*(\d+(?:\.\d+)?)\s*)?$/.exec(raw);
  const low = Number(match?.[1]);
  const high = match?.[2] === undefined ? low : Number(match[2]);
  if (match === null || low < min || high < low) throw new OptionsError(`${flag}: expected "MIN-MAX" or one number, at least ${min} (got ${JSON.stringify(raw)})`);
  return { min: low, max: high };
}

function faultList(raw: string | undefined): FaultKind[] | undefined {
  if (raw === undefined) return undefined;
  const words = raw
    .split(',')
    .map((word) => word.trim())
    .filter((word) => word !== '');
  if (words.length === 1 && words[0] === 'all') return [...FAULT_KINDS];
  if (words.length === 1 && words[0] === 'none') return [];
  const unknown = words.filter((word) => !(FAULT_KINDS as readonly string[]).includes(word));
  if (unknown.length > 0 || words.length === 0) throw new OptionsError(`--faults: unknown ${unknown.length > 0 ? unknown.join(', ') : 'empty list'}; choose from ${FAULT_KINDS.join(', ')}, all, none`);
  return [...new Set(words)] as FaultKind[];
}

function databaseKind(raw: string | undefined): DatabaseKind | undefined {
  if (raw === undefined) return undefined;
  const word = raw.trim();
  if (!(DATABASES as readonly string[]).includes(word)) throw new OptionsError(`--database: expected ${DATABASES.join(' or ')} (got ${JSON.stringify(raw)})`);
  return word as DatabaseKind;
}

function postgresUrl(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (!/^postgres(ql)?:\/\/\S+$/i.test(raw.trim())) throw new OptionsError(`--postgres-url: expected a postgres:// URL (got ${JSON.stringify(raw)})`);
  return raw.trim();
}

function providerList(raw: string | undefined): ChaosOptions['providers'] | undefined {
  if (raw === undefined) return undefined;
  const words = raw.split(',').map((word) => word.trim()).filter(Boolean);
  const known = ['vastai', 'tensordock'] as const;
  const unknown = words.filter((word) => !(known as readonly string[]).includes(word));
  if (unknown.length > 0 || words.length === 0) throw new OptionsError(`--providers: unknown ${unknown.length > 0 ? unknown.join(', ') : 'empty list'}; choose from ${known.join(', ')}`);
  return [...new Set(words)] as ChaosOptions['providers'];
}

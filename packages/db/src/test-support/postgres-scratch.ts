// Scratch PostgreSQL databases for tests, benchmarks and the migration script: created on a server
// we can administer, dropped (with any connection left open) when done.
import pg from 'pg';

const NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function quoteName(name: string): string {
  if (!NAME.test(name)) throw new Error(`not a safe database name: ${name}`);
  return `"${name}"`;
}

/** The same server and credentials as `adminUrl`, another database. */
export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function withAdminClient<T>(adminUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createDatabase(adminUrl: string, database: string, template?: string): Promise<string> {
  await withAdminClient(adminUrl, (client) => client.query(`create database ${quoteName(database)}${template === undefined ? '' : ` template ${quoteName(template)}`}`));
  return databaseUrl(adminUrl, database);
}

export async function dropDatabase(adminUrl: string, database: string): Promise<void> {
  await withAdminClient(adminUrl, (client) => client.query(`drop database if exists ${quoteName(database)} with (force)`));
}

export async function withScratchPostgresDatabase<T>(adminUrl: string, database: string, work: (url: string) => Promise<T>): Promise<T> {
  const url = await createDatabase(adminUrl, database);
  try {
    return await work(url);
  } finally {
    await dropDatabase(adminUrl, database);
  }
}

/** True when a PostgreSQL server answers at `adminUrl` (within `timeoutMs`). */
export async function postgresReachable(adminUrl: string, timeoutMs = 2_000): Promise<boolean> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

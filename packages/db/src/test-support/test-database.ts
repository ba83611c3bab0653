// The database a service or API test runs on. The `sqlite` test project gets a private in-memory
// SQLite database; the `postgresql` project (vitest.config.ts) gets a fresh PostgreSQL database
// cloned from a migrated template, dropped when the test closes it. Same tests, both dialects.
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { openDatabase, type Orm } from '../orm';
import { createDatabase, dropDatabase } from './postgres-scratch';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Set by postgres-global-setup.ts in the postgresql project only. */
    postgres?: { adminUrl: string; template: string; prefix: string };
  }
}

export function testDialect(): 'sqlite' | 'postgresql' {
  return inject('postgres') === undefined ? 'sqlite' : 'postgresql';
}

export async function openTestDatabase(): Promise<Orm> {
  const postgres = inject('postgres');
  if (postgres === undefined) return openDatabase({ dbPath: ':memory:' });
  const name = `${postgres.prefix}${randomBytes(5).toString('hex')}`;
  const databaseUrl = await createDatabase(postgres.adminUrl, name, postgres.template);
  try {
    const orm = await openDatabase({ dbPath: ':memory:', databaseUrl, poolMax: 5 });
    const close = orm.close.bind(orm);
    orm.close = async (force?: boolean) => {
      try {
        await close(force);
      } finally {
        await dropDatabase(postgres.adminUrl, name);
      }
    };
    return orm;
  } catch (error) {
    await dropDatabase(postgres.adminUrl, name);
    throw error;
  }
}

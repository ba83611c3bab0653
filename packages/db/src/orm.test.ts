import { afterEach, describe, expect, it } from 'vitest';
import { MikroORM } from '@mikro-orm/sqlite';
import { openDatabase, ormConfig, resolveDbPath, type Orm } from './orm';

describe('database', () => {
  let orm: Orm | undefined;
  afterEach(async () => {
    await orm?.close();
  });

  it('applies every committed migration and leaves none pending', async () => {
    orm = await openDatabase({ dbPath: ':memory:' });
    expect(await orm.getMigrator().getPendingMigrations()).toEqual([]);
    expect((await orm.getMigrator().getExecutedMigrations()).length).toBeGreaterThan(0);
  });

  it('creates a table for every entity', async () => {
    // (SQLite's schema diff always re-creates tables with check constraints, so we check tables, not a diff.)
    orm = await openDatabase({ dbPath: ':memory:' });
    const rows = await orm.em.getConnection().execute<{ name: string }[]>("select name from sqlite_master where type = 'table'");
    const tables = rows.map((row) => row.name);
    for (const meta of Object.values(orm.getMetadata().getAll())) expect(tables).toContain(meta.tableName);
  });

  it('creates every column of every entity (a statement a migration swallowed shows here)', async () => {
    orm = await openDatabase({ dbPath: ':memory:' });
    const connection = orm.em.getConnection();
    for (const meta of Object.values(orm.getMetadata().getAll())) {
      const columns = (await connection.execute<{ name: string }[]>(`pragma table_info(\`${meta.tableName}\`)`)).map((column) => column.name);
      for (const property of meta.props) for (const field of property.fieldNames ?? []) expect(columns, `${meta.tableName}.${field}`).toContain(field);
    }
  });

  it('defaults to ./data/gpu-shopper.db and honours GPU_SHOPPER_DB', () => {
    expect(resolveDbPath({})).toBe('./data/gpu-shopper.db');
    expect(resolveDbPath({ GPU_SHOPPER_DB: '/tmp/x.db' })).toBe('/tmp/x.db');
    expect(ormConfig({ dbPath: ':memory:' }).allowGlobalContext).toBe(false);
    expect(MikroORM).toBeDefined();
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { MikroORM } from '@mikro-orm/core';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMITTED_MIGRATION_NAMES } from './migrations/committed-names';
import { dialectOf, dialectOfOrm, hasPendingMigrations, migratorOf, openDatabase, ormConfig, resolveDbPath, type Orm } from './orm';
import { openTestDatabase, testDialect } from './test-support/test-database';

describe('database', () => {
  let orm: Orm | undefined;
  afterEach(async () => {
    await orm?.close();
    orm = undefined;
  });

  it('applies every committed migration of its dialect and leaves none pending', async () => {
    orm = await openTestDatabase();
    expect(dialectOfOrm(orm)).toBe(testDialect());
    const migrator = await migratorOf(orm);
    expect(await migrator.getPendingMigrations()).toEqual([]);
    expect((await migrator.getExecutedMigrations()).length).toBeGreaterThan(0);
  });

  it('gives MikroORM the migrator it imported, so that MikroORM never requires the package by name itself', async () => {
    orm = await openTestDatabase();
    const { Migrator } = await import('@mikro-orm/migrations');
    const migrator = await migratorOf(orm);
    // Registered: getMigrator() takes it from the configuration, not from a require() from the working directory.
    expect(orm.config.getExtension('@mikro-orm/migrator')).toBe(migrator);
    expect(migrator).toBeInstanceOf(Migrator);
  });

  it('names every committed migration in COMMITTED_MIGRATION_NAMES, which tells a start whether to migrate', async () => {
    const { SQLITE_MIGRATIONS } = await import('./migrations/sqlite');
    const { POSTGRESQL_MIGRATIONS } = await import('./migrations/postgresql');
    expect(COMMITTED_MIGRATION_NAMES.sqlite).toEqual(SQLITE_MIGRATIONS.map((migration) => migration.name));
    expect(COMMITTED_MIGRATION_NAMES.postgresql).toEqual(POSTGRESQL_MIGRATIONS.map((migration) => migration.name));
  });

  it('sees a missing migration, or no migrations table, from one query', async () => {
    orm = await openTestDatabase();
    expect(await hasPendingMigrations(orm)).toBe(false);
    const connection = orm.em.getConnection();
    const last = COMMITTED_MIGRATION_NAMES[testDialect()].at(-1)!;
    await connection.execute(`delete from mikro_orm_migrations where name = '${last}'`);
    expect(await hasPendingMigrations(orm)).toBe(true);
    await connection.execute('drop table mikro_orm_migrations');
    expect(await hasPendingMigrations(orm)).toBe(true);
  });

  it('migrates a SQLite file an older version left behind, and reopens it without loading the migrations', async () => {
    const dbPath = join(mkdtempSync(join(tmpdir(), 'gpu-shopper-orm-')), 'db.sqlite');
    const [last, beforeLast] = [...COMMITTED_MIGRATION_NAMES.sqlite].reverse();
    const older = await MikroORM.init(await ormConfig({ dbPath }));
    await older.getMigrator().up({ to: beforeLast });
    await older.close();

    orm = await openDatabase({ dbPath });
    expect(orm.config.get('migrations').migrationsList).toBeDefined(); // one was pending: the migrator ran
    expect((await (await migratorOf(orm)).getExecutedMigrations()).map((migration) => migration.name)).toContain(last);
    await orm.close();

    orm = await openDatabase({ dbPath });
    expect(orm.config.get('migrations').migrationsList).toBeUndefined(); // none pending: the migrator was never loaded
    expect(await hasPendingMigrations(orm)).toBe(false);
  });

  it('leaves the schema exactly as the entities describe it', async () => {
    orm = await openTestDatabase();
    if (testDialect() === 'postgresql') {
      // PostgreSQL's comparator reads everything back: the committed migrations must leave no diff.
      expect((await orm.schema.getUpdateSchemaSQL({ wrap: false })).trim()).toBe('');
      return;
    }
    // SQLite's comparator always re-creates tables with check constraints, so check tables and columns.
    const connection = orm.em.getConnection();
    const tables = (await connection.execute<{ name: string }[]>("select name from sqlite_master where type = 'table'")).map((row) => row.name);
    for (const meta of Object.values(orm.getMetadata().getAll())) {
      expect(tables).toContain(meta.tableName);
      const columns = (await connection.execute<{ name: string }[]>(`pragma table_info(\`${meta.tableName}\`)`)).map((column) => column.name);
      for (const property of meta.props) for (const field of property.fieldNames ?? []) expect(columns, `${meta.tableName}.${field}`).toContain(field);
    }
  });

  it('keeps money exact: micro-dollars beyond 32 bits survive a round trip', async () => {
    orm = await openTestDatabase();
    const em = orm.em.fork();
    const { CostEntryEntity } = await import('./entities');
    const big = 9_000_000_000_123; // $9 million and change, in micro-dollars
    em.create(CostEntryEntity, { sessionId: 's', consumerId: 'c', provider: 'vastai', gpuModel: 'RTX 4090', kind: 'compute', hourStart: new Date('2026-11-29T00:00:00Z'), costMicros: big });
    await em.flush();
    const row = await orm.em.fork().findOneOrFail(CostEntryEntity, { sessionId: 's' });
    expect(row.costMicros).toBe(big);
    expect(typeof row.costMicros).toBe('number');
  });

  it('picks its dialect from the URL and refuses any other scheme', () => {
    expect(dialectOf({})).toBe('sqlite');
    expect(dialectOf({ databaseUrl: 'postgres://u@h:5432/d' })).toBe('postgresql');
    expect(dialectOf({ databaseUrl: 'postgresql://u@h/d' })).toBe('postgresql');
    expect(() => dialectOf({ databaseUrl: 'mysql://u@h/d' })).toThrow(/postgres:\/\//);
  });

  it('defaults to ./data/gpu-shopper.db and honours GPU_SHOPPER_DB', async () => {
    expect(resolveDbPath({})).toBe('./data/gpu-shopper.db');
    expect(resolveDbPath({ GPU_SHOPPER_DB: '/tmp/x.db' })).toBe('/tmp/x.db');
    expect((await ormConfig({ dbPath: ':memory:' })).allowGlobalContext).toBe(false);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { dialectOf, dialectOfOrm, ormConfig, resolveDbPath, type Orm } from './orm';
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
    expect(await orm.getMigrator().getPendingMigrations()).toEqual([]);
    expect((await orm.getMigrator().getExecutedMigrations()).length).toBeGreaterThan(0);
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

  it('defaults to ./data/gpu-shopper.db and honours GPU_SHOPPER_DB', () => {
    expect(resolveDbPath({})).toBe('./data/gpu-shopper.db');
    expect(resolveDbPath({ GPU_SHOPPER_DB: '/tmp/x.db' })).toBe('/tmp/x.db');
    expect(ormConfig({ dbPath: ':memory:' }).allowGlobalContext).toBe(false);
  });
});

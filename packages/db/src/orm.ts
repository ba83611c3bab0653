// The ORM's one configuration. SQLite (a file) is the embedded default for one replica;
// GPU_SHOPPER_DATABASE_URL=postgres://... selects PostgreSQL, the store for several replicas.
// Both run the same entities and each dialect's committed migrations at boot.
// The drivers, the migrator and the migrations are loaded on demand (see openDatabase): a start on
// an up-to-date SQLite file loads neither the migrator nor PostgreSQL's client.
import { defineConfig, MikroORM, type MigrationObject, type Options } from '@mikro-orm/core';
import type { AbstractSqlDriver, EntityManager } from '@mikro-orm/knex';
import type { Migrator } from '@mikro-orm/migrations';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { lockDatabase } from './database-lock';
import { ALL_ENTITIES } from './entities';
import { COMMITTED_MIGRATION_NAMES } from './migrations/committed-names';

export const DEFAULT_DB_PATH = './data/gpu-shopper.db';

export function resolveDbPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.GPU_SHOPPER_DB ?? DEFAULT_DB_PATH;
}

export type Dialect = 'sqlite' | 'postgresql';

export interface OrmOptions {
  /** A SQLite file path, or ':memory:' for tests. Ignored when databaseUrl is set. */
  dbPath: string;
  /** postgres://user@host:port/database: use PostgreSQL instead of the SQLite file. */
  databaseUrl?: string;
  debug?: boolean;
  /** Refuse to open a SQLite file another live server holds (servers pass true; tools and tests reading a file need not). */
  exclusive?: boolean;
  /** PostgreSQL connection pool size per replica (default 10). */
  poolMax?: number;
}

const POSTGRES_URL = /^postgres(ql)?:\/\//i;

export function dialectOf(options: Pick<OrmOptions, 'databaseUrl'>): Dialect {
  if (options.databaseUrl === undefined) return 'sqlite';
  if (!POSTGRES_URL.test(options.databaseUrl)) throw new Error('GPU_SHOPPER_DATABASE_URL must be a postgres:// or postgresql:// URL');
  return 'postgresql';
}

// WAL: readers do not wait for the writer, and a commit is an append rather than a journal rewrite
// plus fsync; with synchronous=normal a commit no longer waits for the disk (a power cut may lose
// the last commits, never corrupt the file). Measured: 50 concurrent provisions went from ~130 ms
// per session insert (fsync-bound, serialized) to a few ms.
const sqlitePool = {
  afterCreate: (connection: { exec(sql: string, done: (error: Error | null) => void): void }, done: (error: Error | null, connection: unknown) => void) => {
    connection.exec('pragma journal_mode = wal; pragma synchronous = normal; pragma busy_timeout = 5000;', (error) => done(error, connection));
  },
};

/** The committed migrations of a dialect; loading them loads the migrator's package too (their base class is in it). */
async function committedMigrations(dialect: Dialect): Promise<MigrationObject[]> {
  return dialect === 'postgresql' ? (await import('./migrations/postgresql')).POSTGRESQL_MIGRATIONS : (await import('./migrations/sqlite')).SQLITE_MIGRATIONS;
}

/**
 * The configuration without the migrations list, which `migratorOf` adds when the migrator is needed.
 * Each dialect's driver is loaded for that dialect only.
 */
async function connectionConfig(options: OrmOptions): Promise<Options<AbstractSqlDriver>> {
  const dialect = dialectOf(options);
  const common = {
    entities: ALL_ENTITIES,
    debug: options.debug ?? false,
    // Entities are plain defineEntity schemas: nothing to discover by reflection.
    discovery: { warnWhenNoEntities: true },
    allowGlobalContext: false,
  };
  if (dialect === 'postgresql') {
    return defineConfig({
      ...common,
      driver: (await import('@mikro-orm/postgresql')).PostgreSqlDriver,
      clientUrl: options.databaseUrl,
      pool: { min: 0, max: options.poolMax ?? 10 },
      migrations: { snapshot: false, transactional: true, allOrNothing: true, silent: true },
    }) as Options<AbstractSqlDriver>;
  }
  return defineConfig({
    ...common,
    driver: (await import('@mikro-orm/sqlite')).SqliteDriver,
    dbName: options.dbPath,
    pool: sqlitePool,
    // On SQLite, MikroORM's check that the database exists (on by default) only lists its tables and
    // does nothing with them (there is no server to create a database on): a query and a schema
    // generator of every start for nothing. openDatabase creates the file, the migrations its tables.
    ensureDatabase: false,
    migrations: { snapshot: false, transactional: true, silent: true },
  }) as Options<AbstractSqlDriver>;
}

/** The ORM's whole configuration, the committed migrations included (the migration script uses it). */
export async function ormConfig(options: OrmOptions): Promise<Options<AbstractSqlDriver>> {
  const config = await connectionConfig(options);
  return { ...config, migrations: { ...config.migrations, migrationsList: await committedMigrations(dialectOf(options)) } };
}

export type Orm = MikroORM<AbstractSqlDriver, EntityManager<AbstractSqlDriver>>;

/**
 * Opens the database and brings its schema up to date with the committed migrations. A SQLite file
 * and its WAL side files hold secrets' ciphertexts and everyone's costs: they are the owner's only (0600).
 * Replicas on PostgreSQL may start together: the migrator holds PostgreSQL's advisory lock while it runs.
 * The migrator is loaded only when a migration is pending (`hasPendingMigrations`, one query).
 */
export async function openDatabase(options: OrmOptions): Promise<Orm> {
  if (dialectOf(options) === 'postgresql') {
    const orm = (await MikroORM.init(await connectionConfig(options))) as Orm;
    try {
      // Asked before the lock: replicas restarting on an up-to-date database never queue for it.
      if (await hasPendingMigrations(orm)) await migrateUnderLock(orm, options.databaseUrl as string);
      return orm;
    } catch (error) {
      await orm.close(true);
      throw error;
    }
  }
  const file = options.dbPath !== ':memory:';
  if (file) mkdirSync(dirname(options.dbPath), { recursive: true, mode: 0o700 });
  const lock = file && options.exclusive ? lockDatabase(options.dbPath) : null;
  try {
    if (file) restrictDatabaseFiles(options.dbPath);
    const orm = (await MikroORM.init(await connectionConfig(options))) as Orm;
    if (await hasPendingMigrations(orm)) await (await migratorOf(orm)).up();
    if (file) restrictDatabaseFiles(options.dbPath);
    if (lock !== null) {
      const close = orm.close.bind(orm);
      orm.close = async (force?: boolean) => {
        try {
          await close(force);
        } finally {
          lock.release();
        }
      };
    }
    return orm;
  } catch (error) {
    lock?.release();
    throw error;
  }
}

/** MikroORM's default name for the table of executed migrations, which the configuration keeps. */
const MIGRATIONS_TABLE = 'mikro_orm_migrations';

/** Whether a committed migration has not run on this database yet: one query, no migrator. */
export async function hasPendingMigrations(orm: Orm): Promise<boolean> {
  let rows: { name: string }[];
  try {
    rows = await orm.em.getConnection().execute<{ name: string }[]>(`select name from ${MIGRATIONS_TABLE}`);
  } catch {
    // No table yet (a new database). Anything else wrong, the migrator will say so when it runs.
    return true;
  }
  const executed = new Set(rows.map((row) => row.name));
  return COMMITTED_MIGRATION_NAMES[dialectOfOrm(orm)].some((name) => !executed.has(name));
}

/** The ORM's migrator, with its dialect's committed migrations (both loaded on the first call). */
export async function migratorOf(orm: Orm): Promise<Migrator> {
  const settings = orm.config.get('migrations');
  // Before the first getMigrator(), which reads the settings once: without a list, it would look for files.
  if (settings.migrationsList === undefined) orm.config.set('migrations', { ...settings, migrationsList: await committedMigrations(dialectOfOrm(orm)) });
  // Registered from our own import: unregistered, MikroORM requires the package itself, by name from
  // the working directory, which in the server's build (its packages in one vendor bundle) would
  // load a second MikroORM from node_modules beside the bundled one.
  const { Migrator } = await import('@mikro-orm/migrations');
  Migrator.register(orm);
  return orm.getMigrator() as Migrator;
}

/** The side files SQLite keeps beside a database: the write-ahead log, its index, the rollback journal. */
export const SQLITE_SIDE_FILE_SUFFIXES = ['-wal', '-shm', '-journal'] as const;

/**
 * Creates the database file 0600 if absent and tightens it and any side file to 0600. Before SQLite
 * opens it, so that the side files it creates later take the database file's mode (SQLite gives a
 * new -wal, -shm or -journal the permissions of its database file, whatever the umask); and again
 * after, for files an older version left wider. The directory is created 0700 (mkdirSync above);
 * an existing one is the operator's choice and left as it is: it may be shared, like /tmp.
 */
function restrictDatabaseFiles(dbPath: string): void {
  closeSync(openSync(dbPath, 'a', 0o600));
  for (const path of [dbPath, ...SQLITE_SIDE_FILE_SUFFIXES.map((suffix) => `${dbPath}${suffix}`)]) if (existsSync(path)) chmodSync(path, 0o600);
}

/** Any number we pick: the key of the session-level advisory lock replicas take to migrate one at a time. */
const MIGRATION_LOCK_KEY = 47_110_001;

/**
 * Several replicas starting at once would run the same migration twice. The lock is session-level,
 * so it is held on a connection of its own while the migrator runs on the pool.
 */
async function migrateUnderLock(orm: Orm, databaseUrl: string): Promise<void> {
  const migrator = await migratorOf(orm);
  const { default: pg } = await import('pg');
  const lock = new pg.Client({ connectionString: databaseUrl });
  await lock.connect();
  try {
    await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await migrator.up();
  } finally {
    await lock.end();
  }
}

export function dialectOfOrm(orm: Orm): Dialect {
  // By the driver's name: comparing with the class would load the other dialect's driver.
  return orm.config.get('driver')?.name === 'PostgreSqlDriver' ? 'postgresql' : 'sqlite';
}

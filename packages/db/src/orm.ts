// The ORM's one configuration: SQLite, explicit entities, committed migrations run at boot.
import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, MikroORM } from '@mikro-orm/sqlite';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { lockDatabase } from './database-lock';
import { dirname } from 'node:path';
import { ALL_ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

export const DEFAULT_DB_PATH = './data/gpu-shopper.db';

export function resolveDbPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.GPU_SHOPPER_DB ?? DEFAULT_DB_PATH;
}

export interface OrmOptions {
  /** A file path, or ':memory:' for tests. */
  dbPath: string;
  debug?: boolean;
  /** Refuse to open a file another live server holds (servers pass true; tools and tests reading a file need not). */
  exclusive?: boolean;
}

export function ormConfig(options: OrmOptions) {
  return defineConfig({
    dbName: options.dbPath,
    entities: ALL_ENTITIES,
    extensions: [Migrator],
    migrations: { migrationsList: MIGRATIONS, snapshot: false, transactional: true, silent: true },
    debug: options.debug ?? false,
    // WAL: readers do not wait for the writer, and a commit is an append rather than a journal
    // rewrite plus fsync; with synchronous=normal a commit no longer waits for the disk (a power
    // cut may lose the last commits, never corrupt the file). Measured: 50 concurrent provisions
    // went from ~130 ms per session insert (fsync-bound, serialized) to a few ms.
    pool: {
      afterCreate: (connection: { exec(sql: string, done: (error: Error | null) => void): void }, done: (error: Error | null, connection: unknown) => void) => {
        connection.exec('pragma journal_mode = wal; pragma synchronous = normal; pragma busy_timeout = 5000;', (error) => done(error, connection));
      },
    },
    // Entities are plain defineEntity schemas: nothing to discover by reflection.
    discovery: { warnWhenNoEntities: true },
    allowGlobalContext: false,
  });
}

export type Orm = MikroORM;

/**
 * Opens the database and brings its schema up to date with the committed migrations. The file and
 * its WAL side files hold secrets' ciphertexts and everyone's costs: they are the owner's only (0600).
 */
export async function openDatabase(options: OrmOptions): Promise<Orm> {
  const file = options.dbPath !== ':memory:';
  if (file) mkdirSync(dirname(options.dbPath), { recursive: true, mode: 0o700 });
  const lock = file && options.exclusive ? lockDatabase(options.dbPath) : null;
  try {
    if (file) closeSync(openSync(options.dbPath, 'a', 0o600));
    const orm = await MikroORM.init(ormConfig(options));
    await orm.getMigrator().up();
    if (file) for (const path of [options.dbPath, `${options.dbPath}-wal`, `${options.dbPath}-shm`]) if (existsSync(path)) chmodSync(path, 0o600);
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

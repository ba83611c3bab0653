// Named locks held in PostgreSQL, for work that several replicas must do one at a time (a budget
// check and the session insert it allows). Session-level advisory locks, each on a connection of
// its own taken from a small pool beside the ORM's: the locked work runs and commits on the ORM's
// connections as usual, and a replica that dies mid-way loses its connection and with it the lock.
import type { Pool } from 'pg';

export interface DatabaseLocks {
  /** Runs `work` holding every named lock, taken in the order given (callers keep one order: no deadlock). */
  withLocks<T>(names: readonly string[], work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export function postgresAdvisoryLocks(databaseUrl: string, poolSize = 5): DatabaseLocks {
  // pg is loaded with the first lock taken, so that merely importing this package (a SQLite server) does not load it.
  let pool: Promise<Pool> | null = null;
  const lockPool = () =>
    (pool ??= import('pg').then(({ default: pg }) => {
      const created = new pg.Pool({ connectionString: databaseUrl, max: poolSize });
      // An idle lock connection that breaks (the server restarted) must not crash the process.
      created.on('error', () => undefined);
      return created;
    }));
  return {
    async withLocks(names, work) {
      const client = await (await lockPool()).connect();
      const taken: string[] = [];
      try {
        for (const name of names) {
          await client.query('select pg_advisory_lock(hashtextextended($1, 0))', [name]);
          taken.push(name);
        }
        return await work();
      } finally {
        let broken = false;
        for (const name of taken.reverse()) {
          await client.query('select pg_advisory_unlock(hashtextextended($1, 0))', [name]).catch(() => (broken = true));
        }
        // A connection whose unlock failed may still hold a lock: destroy it rather than reuse it.
        client.release(broken ? true : undefined);
      }
    },
    close: async () => {
      if (pool !== null) await (await pool).end();
    },
  };
}

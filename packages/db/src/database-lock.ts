// One server per SQLite file: SQLite is the single-replica store, and two servers on one file would
// both run the lifecycle (destroying each other's "orphans", overshooting budgets). The lock is a
// file beside the database holding the owner's pid, created exclusively; a lock left by a process
// that no longer exists (SIGKILL, power cut) is taken over.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';

export class DatabaseLockedError extends Error {}

export interface DatabaseLock {
  readonly path: string;
  release(): void;
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, but not ours to signal
  }
}

/** Takes `<dbPath>.lock` for this process, or throws DatabaseLockedError naming the holder. */
export function lockDatabase(dbPath: string): DatabaseLock {
  const path = `${dbPath}.lock`;
  for (let tries = 0; tries < 2; tries += 1) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      let released = false;
      return {
        path,
        release: () => {
          if (released) return;
          released = true;
          rmSync(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
      if (holder !== process.pid && isAlive(holder)) {
        throw new DatabaseLockedError(
          `another gpu-shopper server (pid ${holder}) is using the SQLite database ${dbPath}; SQLite serves one server only. ` +
            'Stop that one, point this one at another GPU_SHOPPER_DB, or use PostgreSQL for several replicas.',
        );
      }
      rmSync(path, { force: true }); // left by a process that is gone
    }
  }
  throw new DatabaseLockedError(`could not take the lock ${path} for ${dbPath}`);
}

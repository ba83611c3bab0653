// A SQLite database holds sealed secrets and everyone's costs: its directory is created 0700 and
// the file and every side file SQLite writes beside it (-wal, -shm, -journal) are 0600, whatever
// the umask, and files left wider by an older version are tightened at the next start.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsumerEntity } from './entities';
import { openDatabase, SQLITE_SIDE_FILE_SUFFIXES, type Orm } from './orm';
import { testDialect } from './test-support/test-database';

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe.skipIf(testDialect() !== 'sqlite')('database file modes', () => {
  let orm: Orm | undefined;
  let umask: number;
  beforeEach(() => {
    // A permissive umask: nothing below may rely on the process's umask for its modes.
    umask = process.umask(0);
  });
  afterEach(async () => {
    await orm?.close();
    orm = undefined;
    process.umask(umask);
  });

  async function write(database: Orm, name: string): Promise<void> {
    const em = database.em.fork();
    em.create(ConsumerEntity, { id: `con_${name}`, name, createdAt: new Date('2026-03-01T10:00:00Z') });
    await em.flush();
  }

  it('creates the data directory 0700 and the database, -wal, -shm and -journal files 0600', async () => {
    const root = mkdtempSync(join(tmpdir(), 'gpu-shopper-modes-'));
    const dataDir = join(root, 'data');
    const dbPath = join(dataDir, 'gpu-shopper.db');
    orm = await openDatabase({ dbPath, exclusive: true });
    await write(orm, 'atlas');
    expect(modeOf(dataDir)).toBe(0o700);
    expect(modeOf(dbPath)).toBe(0o600);
    expect(modeOf(`${dbPath}.lock`)).toBe(0o600);
    // WAL mode: the log and its index exist while the database is open.
    for (const suffix of ['-wal', '-shm']) expect(modeOf(`${dbPath}${suffix}`), suffix).toBe(0o600);

    // A rollback journal (SQLite writes one outside WAL mode; "persist" keeps it after the commit).
    const connection = orm.em.getConnection();
    await connection.execute('pragma journal_mode = persist');
    await write(orm, 'borealis');
    expect(existsSync(`${dbPath}-journal`)).toBe(true);
    expect(modeOf(`${dbPath}-journal`)).toBe(0o600);
  });

  it('tightens a database and side files that an older version left readable by others', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpu-shopper-modes-'));
    const dbPath = join(dir, 'old.db');
    orm = await openDatabase({ dbPath });
    await write(orm, 'atlas');
    await orm.close();
    orm = undefined;
    chmodSync(dbPath, 0o644);
    for (const suffix of SQLITE_SIDE_FILE_SUFFIXES) {
      if (!existsSync(`${dbPath}${suffix}`)) writeFileSync(`${dbPath}${suffix}`, '');
      chmodSync(`${dbPath}${suffix}`, 0o644);
    }
    orm = await openDatabase({ dbPath });
    await write(orm, 'borealis');
    expect(modeOf(dbPath)).toBe(0o600);
    for (const suffix of SQLITE_SIDE_FILE_SUFFIXES) expect(modeOf(`${dbPath}${suffix}`), suffix).toBe(0o600);
  });
});

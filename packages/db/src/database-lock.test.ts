import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DatabaseLockedError } from './database-lock';
import { openDatabase } from './orm';

describe('SQLite file ownership', () => {
  const dirs: string[] = [];
  const tempDb = () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpu-shopper-lock-'));
    dirs.push(dir);
    return join(dir, 'data', 'db.sqlite');
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a file another live server holds, takes over a lock its dead holder left, and frees it on close', async () => {
    const dbPath = tempDb();
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      await (await openDatabase({ dbPath })).close(); // creates the directory and the file
      writeFileSync(`${dbPath}.lock`, `${other.pid}\n`);
      await expect(openDatabase({ dbPath, exclusive: true })).rejects.toThrow(DatabaseLockedError);
      await expect(openDatabase({ dbPath, exclusive: true })).rejects.toThrow(new RegExp(`pid ${other.pid}.*SQLite serves one server only`));
    } finally {
      other.kill('SIGKILL');
      await new Promise((resolve) => other.once('exit', resolve));
    }
    const orm = await openDatabase({ dbPath, exclusive: true }); // the holder is gone: taken over
    expect(() => statSync(`${dbPath}.lock`)).not.toThrow();
    await orm.close();
    expect(() => statSync(`${dbPath}.lock`)).toThrow();
  });

  it('keeps the database and its WAL files to the owner (0600)', async () => {
    const dbPath = tempDb();
    const orm = await openDatabase({ dbPath, exclusive: true });
    try {
      for (const path of [dbPath, `${dbPath}-wal`]) expect((statSync(path).mode & 0o777).toString(8)).toBe('600');
    } finally {
      await orm.close();
    }
  });
});

// After a first start that writes, everything secret in the data directory is the owner's only:
// the directory 0700; the SQLite database, its side files and lock, the master key, the generated
// admin key and the deployment id 0600 — with a permissive umask, so nothing relies on the umask.
// (The rollback journal, which SQLite writes only outside WAL mode, is covered in packages/db.)
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './config';
import { silentLogger } from './logger';
import { startServer, type RunningServer } from './start';

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('data directory file modes', () => {
  let server: RunningServer | undefined;
  let umask: number;
  beforeEach(() => {
    umask = process.umask(0);
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    process.umask(umask);
  });

  it('creates the data directory 0700 and every file in it 0600', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'gpu-shopper-modes-')), 'data');
    const dbPath = join(dataDir, 'gpu-shopper.db');
    server = await startServer({ config: loadConfig({ PORT: '0', HOST: '127.0.0.1', GPU_SHOPPER_DB: dbPath }), logger: silentLogger, adapters: [], runLifecycle: false });
    // A write through the API, so that the write-ahead log has something in it.
    const adminKey = readFileSync(join(dataDir, 'admin-key'), 'utf8').trim();
    const created = await fetch(`${server.url}/api/v1/admin/keys`, { method: 'POST', headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ consumer: 'atlas' }) });
    expect(created.status).toBe(200);

    expect(modeOf(dataDir)).toBe(0o700);
    const files = ['gpu-shopper.db', 'gpu-shopper.db-wal', 'gpu-shopper.db-shm', 'gpu-shopper.db.lock', 'master-key', 'admin-key', 'deployment-id'];
    for (const file of files) {
      expect(existsSync(join(dataDir, file)), file).toBe(true);
      expect(modeOf(join(dataDir, file)), file).toBe(0o600);
    }
  });
});

// SQLite serves one server: a second server process on the same file refuses to start, with a
// message that says why and what to do, and the first one keeps serving.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DatabaseLockedError } from '@gpu-shopper/db';
import { loadConfig } from '../src/config';
import { silentLogger } from '../src/logger';
import { startServer } from '../src/start';
import { startChildServer, type ChildServer } from './support/child-server';

describe('one server per SQLite file', () => {
  let child: ChildServer | null = null;
  const dir = mkdtempSync(join(tmpdir(), 'gpu-shopper-one-server-'));
  afterEach(async () => {
    await child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to start a second server on a file another live server holds', { timeout: 60_000 }, async () => {
    const env = { PORT: '0', HOST: '127.0.0.1', GPU_SHOPPER_DB: join(dir, 'db.sqlite'), GPU_SHOPPER_ADMIN_KEY: 'one-server-admin-key-0123', GPU_SHOPPER_SIM_NODES: 'none' };
    child = await startChildServer(env);
    const second = startServer({ config: loadConfig(env), logger: silentLogger });
    await expect(second).rejects.toThrow(DatabaseLockedError);
    await expect(second).rejects.toThrow(/another gpu-shopper server \(pid \d+\) is using the SQLite database .*PostgreSQL for several replicas/);
    expect((await fetch(`${child.url}/healthz`)).status).toBe(200);
  });
});

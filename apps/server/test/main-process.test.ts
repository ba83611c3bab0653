// `npm start` as a real process: ready on /readyz, and on SIGTERM a logged, graceful shutdown that
// closes the database and exits 0.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const MAIN = join(import.meta.dirname, '..', 'src', 'main.ts');
const TSX_LOADER = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist', 'loader.mjs')).href;

describe('the server process', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('shuts down gracefully on SIGTERM, logging each step, and exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpu-shopper-main-'));
    dirs.push(dir);
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', GPU_SHOPPER_DB: join(dir, 'db.sqlite'), GPU_SHOPPER_ADMIN_KEY: 'test-admin-key-0123456789', GPU_SHOPPER_SIM_NODES: 'none', GPU_SHOPPER_SIM_BOOT_DELAY_MS: '0' };
    for (const name of ['VASTAI_API_KEY', 'TENSORDOCK_API_TOKEN', 'VASTAI_API_URL', 'TENSORDOCK_API_URL']) delete env[name];
    const child = spawn(process.execPath, ['--import', TSX_LOADER, MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 45_000;
      let url: string | undefined;
      while (url === undefined) {
        url = /listening on (http:\/\/\S+)/.exec(stdout)?.[1];
        if (child.exitCode !== null) throw new Error(`the server exited early: ${stderr}`);
        if (Date.now() > deadline) throw new Error(`the server did not start: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(await (await fetch(`${url}/readyz`)).json()).toEqual({ status: 'ready' });

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      for (const step of ['SIGTERM: shutting down gracefully', 'shutdown: draining', 'shutdown: HTTP closed', 'shutdown: scheduled jobs stopped', 'shutdown: provisioning settled', 'shutdown: database closed', 'shutdown complete']) {
        expect(stderr).toContain(step);
      }
      expect(stderr).not.toMatch(/ error /);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    }
  }, 90_000);
});

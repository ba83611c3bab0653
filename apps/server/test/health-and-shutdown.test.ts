// Readiness and graceful shutdown of the real server: /readyz while crash recovery runs and after,
// a shutdown that waits for a lifecycle tick in progress before it closes the database, and one
// whose grace runs out (the database then stays open rather than being closed under the tick).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertEntity, openDatabase } from '@gpu-shopper/db';
import { loadConfig } from '../src/config';
import type { Logger } from '../src/logger';
import { unhandledRejectionHandler } from '../src/process-guards';
import { startServer, type RunningServer, type StartOptions } from '../src/start';
import { GatedAdapter } from './support/gated-adapter';

const ADMIN_KEY = 'test-admin-key-0123456789';
const TIMEOUT_MS = 60_000;

function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${m}`) };
}

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('readiness and graceful shutdown', () => {
  const dirs: string[] = [];
  const servers: RunningServer[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close().catch(() => undefined);
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  const start = (env: Record<string, string>, options: Omit<StartOptions, 'config'>) => {
    const dir = mkdtempSync(join(tmpdir(), 'gpu-shopper-shutdown-'));
    dirs.push(dir);
    const dbPath = join(dir, 'db.sqlite');
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', GPU_SHOPPER_DB: dbPath, GPU_SHOPPER_ADMIN_KEY: ADMIN_KEY, ...env });
    const started = startServer({ config, ...options }).then((server) => {
      servers.push(server);
      return server;
    });
    return { dbPath, started };
  };

  it(
    'answers /readyz 503 "recovering" while crash recovery runs (POST /sessions 503 too), 200 "ready" after',
    async () => {
      const adapter = new GatedAdapter();
      const recovery = adapter.holdNextListing();
      let listening!: (url: string) => void;
      const urlKnown = new Promise<string>((resolve) => (listening = resolve));
      const { started } = start({}, { logger: memoryLogger(), providerAdapters: [adapter], runLifecycle: false, onListening: (url) => listening(url) });
      const url = await urlKnown;
      await recovery.entered;

      const during = await fetch(`${url}/readyz`);
      expect(during.status).toBe(503);
      expect(await during.json()).toEqual({ status: 'recovering', message: expect.stringContaining('crash recovery') });
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const keyAnswer = await fetch(`${url}/api/v1/admin/keys`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ consumer: 'early' }) });
      const { key } = (await keyAnswer.json()) as { key: string };
      const early = await fetch(`${url}/api/v1/sessions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ gpu: '4090', hours: 1 }) });
      expect(early.status).toBe(503);
      expect(await early.json()).toMatchObject({ message: expect.stringContaining('provisioning not available') });

      recovery.release();
      const server = await started;
      const after = await fetch(`${url}/readyz`);
      expect(after.status).toBe(200);
      expect(await after.json()).toEqual({ status: 'ready' });
      expect(server.readiness()).toEqual({ status: 'ready' });
    },
    TIMEOUT_MS,
  );

  it(
    'on close during a scheduled lifecycle tick: reports draining, waits for the tick to finish its writes, then closes the database',
    async () => {
      const adapter = new GatedAdapter();
      const logger = memoryLogger();
      // Ticks every second; one failed listing raises an alert, so the held tick has a write to make.
      const { dbPath, started } = start({ GPU_SHOPPER_TICK_SECONDS: '1' }, { logger, providerAdapters: [adapter], lifecyclePolicy: { listingFailureAlertAfter: 1 } });
      const server = await started;
      const tick = adapter.holdNextListing();
      await tick.entered;

      let closed = false;
      const closing = server.close().then(() => (closed = true));
      await until(() => logger.lines.some((line) => line.includes('waiting for job lifecycle')), 'the shutdown to wait for the tick');
      expect(server.readiness()).toMatchObject({ status: 'draining' });
      await expect(fetch(`${server.url}/readyz`)).rejects.toThrow(); // the listener is closed
      expect(closed).toBe(false);

      tick.fail(new Error('listing unavailable'));
      await closing;
      // Every step logged, in this order.
      const steps = ['draining', 'closing the HTTP listener', 'HTTP closed', 'scheduled jobs stopped; waiting for job lifecycle', 'running jobs finished', 'provisioning settled', 'database closed'];
      const positions = steps.map((step) => logger.lines.findIndex((line) => line.startsWith(`info shutdown: ${step}`)));
      expect(positions).not.toContain(-1);
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
      expect(logger.lines.filter((line) => line.startsWith('error'))).toEqual([]);
      await expect(server.tick()).rejects.toThrow(/shutting down/);

      // The tick's write landed before the database closed.
      const orm = await openDatabase({ dbPath });
      try {
        expect(await orm.em.fork().count(AlertEntity, { kind: 'listing_failed' })).toBe(1);
      } finally {
        await orm.close();
      }
    },
    TIMEOUT_MS,
  );

  it(
    'leaves the database open, and says what still ran, when the grace runs out under a tick',
    async () => {
      const adapter = new GatedAdapter();
      const logger = memoryLogger();
      const { started } = start({ GPU_SHOPPER_SHUTDOWN_GRACE_SECONDS: '0.2' }, { logger, providerAdapters: [adapter], runLifecycle: false });
      const server = await started;
      const held = adapter.holdNextListing();
      const ticking = server.tick();
      await held.entered;

      await expect(server.close()).rejects.toThrow(/still running: tick/);
      expect(logger.lines.some((line) => line.startsWith('error shutdown: still running') && line.includes('database is left open'))).toBe(true);
      expect(await server.deps.orm.isConnected()).toBe(true);
      held.release();
      await ticking; // the tick still had its database
      await server.deps.orm.close();
    },
    TIMEOUT_MS,
  );

  it(
    'keeps serving after an unhandled rejection, which is logged',
    async () => {
      const logger = memoryLogger();
      const { started } = start({}, { logger, providerAdapters: [new GatedAdapter()], runLifecycle: false });
      const server = await started;
      unhandledRejectionHandler(logger)(new Error('upstream said no'));
      const logged = logger.lines.find((line) => line.includes('unhandled promise rejection'));
      expect(logged).toBeDefined();
      expect(logged).toContain('upstream said no');
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    },
    TIMEOUT_MS,
  );
});

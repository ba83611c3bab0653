// What the browser tests run against: the real server in simulation mode (the provider simulators
// in process, each running instance booting a real agent), on a manual clock the test moves, with
// the console built fresh from its sources and served by the server at /console.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ManualClock } from '@gpu-shopper/domain';
import { createShopperClient, type ShopperClient } from '@gpu-shopper/sdk';
import { loadConfig, silentLogger, startServer, type RunningServer } from '@gpu-shopper/server';

export const CONSOLE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ADMIN_KEY = 'console-test-admin-key-0123456789';

/** `vite build` of the console into apps/console/dist (ignored by git), where the server serves it from. */
export async function buildConsole(): Promise<void> {
  const vite = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
  // vitest sets NODE_ENV=test, which would make this a development build (React's, with StrictMode's double effects).
  await promisify(execFile)(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: CONSOLE_ROOT, timeout: 120_000, env: { ...process.env, NODE_ENV: 'production' } });
}

export interface ConsoleStack {
  url: string;
  clock: ManualClock;
  server: RunningServer;
  operator: ShopperClient;
  client(apiKey: string): ShopperClient;
  /** Polls `probe` until it returns a value; fails naming `what`. */
  waitUntil<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs?: number): Promise<T>;
  /** The same, with a lifecycle tick (and the accounting) before each try. */
  tickUntil<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

export async function startConsoleStack(): Promise<ConsoleStack> {
  const clock = new ManualClock(new Date());
  const dir = mkdtempSync(join(tmpdir(), 'console-e2e-'));
  const server = await startServer({
    config: loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      GPU_SHOPPER_DB: join(dir, 'db.sqlite'),
      GPU_SHOPPER_ADMIN_KEY: ADMIN_KEY,
      GPU_SHOPPER_SIM_BOOT_DELAY_MS: '0',
      // Nothing listens there: each webhook delivery fails, as the Needs you page should show.
      GPU_SHOPPER_WEBHOOK_URL: 'http://127.0.0.1:9/webhook',
      GPU_SHOPPER_WEBHOOK_SECRET: 'console-test-webhook-secret',
    }),
    clock,
    logger: silentLogger,
    // The test ticks the lifecycle itself, so that moving the clock never races a scheduled run.
    runLifecycle: false,
    simulatedAgentEnv: { AGENT_HEARTBEAT_INTERVAL_S: '1' },
    // Idle nodes are reported, not shut down: the test's session idles while the clock moves.
    lifecyclePolicy: { idleAction: { llm: 'alert', training: 'alert', batch: 'alert' } },
  }).catch((error: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });
  const client = (apiKey: string) => createShopperClient({ url: server.url, apiKey });
  const poll = async <T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs: number, tick: boolean): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (tick) await server.tick();
      const value = await probe();
      if (value !== null && value !== undefined && value !== false) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  return {
    url: server.url,
    clock,
    server,
    operator: client(ADMIN_KEY),
    client,
    waitUntil: (what, probe, timeoutMs = 30_000) => poll(what, probe, timeoutMs, false),
    tickUntil: (what, probe, timeoutMs = 30_000) => poll(what, probe, timeoutMs, true),
    close: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

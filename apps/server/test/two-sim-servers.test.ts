// Two simulation-mode servers on one machine (each with its own in-process simulators, same seed, so
// the same catalog and the same cheapest offers): each provisions a session on each provider that
// reaches ready through its own real agent. Before node ports were OS-chosen, the second server's
// agents failed to bind the ports the first server's agents held.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session, SessionCredentials } from '@gpu-shopper/domain';
import { loadConfig } from '../src/config';
import type { Logger } from '../src/logger';
import { startServer, type RunningServer } from '../src/start';

const ADMIN_KEY = 'two-sims-admin-key-0123456789';

interface SimServer {
  server: RunningServer;
  dir: string;
  consumerKey: string;
  /** What the server logged (a simulated node that died says so here); shown when a session is late. */
  log: string[];
}

async function json<T>(server: RunningServer, path: string, key: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${server.url}${path}`, { method: body === undefined ? 'GET' : 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const parsed = (await response.json()) as T;
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${JSON.stringify(parsed)}`);
  return parsed;
}

async function startSimServer(name: string): Promise<SimServer> {
  const dir = mkdtempSync(join(tmpdir(), `gpu-shopper-two-sims-${name}-`));
  const log: string[] = [];
  const logger: Logger = { info: () => {}, warn: (message) => log.push(message), error: (message) => log.push(message) };
  const server = await startServer({
    // No provider keys: simulation mode, with real agents as nodes and no boot delay.
    config: loadConfig({ PORT: '0', HOST: '127.0.0.1', GPU_SHOPPER_DB: join(dir, 'db.sqlite'), GPU_SHOPPER_ADMIN_KEY: ADMIN_KEY, GPU_SHOPPER_SIM_BOOT_DELAY_MS: '0', GPU_SHOPPER_TICK_SECONDS: '1' }),
    logger,
    // A first heartbeat lost on a busy machine is retried within seconds instead of after the
    // default interval's 30 s backoff.
    simulatedAgentEnv: { AGENT_HEARTBEAT_INTERVAL_S: '1' },
  });
  const { key } = await json<{ key: string }>(server, '/api/v1/admin/keys', ADMIN_KEY, { consumer: name });
  return { server, dir, consumerKey: key, log };
}

async function untilReady(target: SimServer, sessionId: string): Promise<Session> {
  // Seconds on an idle machine; the margin is for a busy one (agents start through tsx when unbuilt).
  const deadline = Date.now() + 45_000;
  for (;;) {
    const session = await json<Session>(target.server, `/api/v1/sessions/${sessionId}`, target.consumerKey);
    if (session.state === 'ready') return session;
    if (session.state !== 'provisioning') throw new Error(`session ${sessionId} went ${session.state}: ${JSON.stringify(session)}; log: ${target.log.join('\n')}`);
    if (Date.now() > deadline) throw new Error(`session ${sessionId} not ready in time: ${JSON.stringify(session)}; log: ${target.log.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('two simulation-mode servers on one machine', () => {
  let servers: SimServer[] = [];

  beforeAll(async () => {
    servers = [await startSimServer('first'), await startSimServer('second')];
    expect(servers.map(({ server }) => server.simulatedProviders.sort())).toEqual([
      ['tensordock', 'vastai'],
      ['tensordock', 'vastai'],
    ]);
  });
  afterAll(async () => {
    // Closing a server closes its simulators, which stop their agent processes.
    await Promise.all(servers.map(({ server }) => server.close()));
    for (const { dir } of servers) rmSync(dir, { recursive: true, force: true });
  });

  for (const provider of ['vastai', 'tensordock'] as const) {
    it(`each gets a ready ${provider} session with its own agent on its own port`, { timeout: 100_000 }, async () => {
      // One after the other, so the second server's simulator sees the first one's node holding its ports.
      const created: Session[] = [];
      const ready: Session[] = [];
      for (const target of servers) {
        // An llm session: its node is ready only when the simulated engine lists the model it was given.
        created.push(await json<Session>(target.server, '/api/v1/sessions', target.consumerKey, { gpu: '4090', hours: 1, provider, workload: 'llm', llmModel: 'Qwen/Qwen2.5-0.5B-Instruct' }));
        ready.push(await untilReady(target, created.at(-1)!.id));
      }
      // Same seed, same offer on both servers' simulators: the instances collide on everything but their ports.
      expect(ready[0]!.offerId).not.toBeNull();
      expect(ready.map((session) => session.offerId)).toEqual([ready[0]!.offerId, ready[0]!.offerId]);
      const endpoints = await Promise.all(servers.map(async (target, index) => (await json<SessionCredentials>(target.server, `/api/v1/sessions/${created[index]!.id}/credentials`, target.consumerKey)).nodeEndpoint!));
      expect(new Set(endpoints).size).toBe(2);
      for (const endpoint of endpoints) expect((await fetch(`${endpoint}/node/v1/healthz`)).status).toBe(200);
    });
  }
});

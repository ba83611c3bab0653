// Starting the agent as a child process, as the GPU check does: launch choice, the environment it
// gets (a node's real session and keys stripped), and a real start from source, status, teardown.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { statusReader } from './agent-api';
import { AGENT_DIR, agentEnv, agentLaunch, listeningUrl, startAgentProcess } from './agent-process';
import { Teardown } from './teardown';

describe('agent launch and environment', () => {
  it('runs the built bundle when there is one, else the source through tsx', () => {
    expect(agentLaunch('/opt/agent', () => true)).toEqual({ command: process.execPath, args: ['/opt/agent/dist/agent.js'], cwd: '/opt/agent', source: 'bundle' });
    expect(agentLaunch('/opt/agent', () => false)).toEqual({ command: process.execPath, args: ['--import', 'tsx', '/opt/agent/src/main.ts'], cwd: '/opt/agent', source: 'source' });
  });

  it('strips the node\'s own agent settings and keys, keeps the rest, and sets its own', () => {
    const env = agentEnv(
      {
        PATH: '/usr/bin',
        HF_HOME: '/models',
        GPU_SHOPPER_URL: 'https://shopper.example',
        GPU_SHOPPER_SESSION_ID: 'sess_real',
        GPU_SHOPPER_RESERVATION_END: '2030-01-01T00:00:00Z',
        CONTAINER_ID: '123',
        CONTAINER_API_KEY: 'vast-key',
        VASTAI_API_URL: 'https://console.vast.ai',
        AGENT_PORT: '8080',
      },
      { token: 'check-token-0123456789', workspace: '/tmp/ws', extra: { GPU_SHOPPER_WORKLOAD: 'batch' } },
    );
    expect(env).toEqual({
      PATH: '/usr/bin',
      HF_HOME: '/models',
      GPU_SHOPPER_SESSION_ID: 'gpu-check',
      GPU_SHOPPER_NODE_TOKEN: 'check-token-0123456789',
      GPU_SHOPPER_WORKLOAD: 'batch',
      AGENT_HOST: '127.0.0.1',
      AGENT_PORT: '0',
      AGENT_WORKSPACE: '/tmp/ws',
      AGENT_SHUTDOWN_GRACE_S: '10',
      AGENT_POWEROFF_COMMAND: 'true',
    });
  });

  it('reads the URL from the "agent listening" log line only', () => {
    expect(listeningUrl('{"time":"2030-01-01T00:00:00.000Z","level":"info","message":"agent listening","url":"http://127.0.0.1:40123","workload":"batch"}')).toBe('http://127.0.0.1:40123');
    expect(listeningUrl('{"level":"info","message":"starting LLM engine","url":"http://x"}')).toBeNull();
    expect(listeningUrl('not json')).toBeNull();
  });
});

describe('startAgentProcess', () => {
  let dir: string;
  let teardown: Teardown;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'gpu-check-agent-'));
    teardown = new Teardown();
  });
  afterEach(async () => {
    await teardown.run();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts the agent from source on a free port, serves status, and is stopped by the teardown', { timeout: 120_000 }, async () => {
    const token = 'gpu-check-test-token-0123456789';
    const agent = await startAgentProcess({
      launch: agentLaunch(AGENT_DIR, () => false),
      env: agentEnv({ ...process.env, GPU_SHOPPER_URL: 'http://127.0.0.1:9' }, { token, workspace: path.join(dir, 'ws'), extra: {} }),
      logFile: path.join(dir, 'agent.log'),
      teardown,
      startTimeoutMs: 90_000,
    });
    expect(agent.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const status = await statusReader(agent.url, token)();
    expect(status.sessionId).toBe('gpu-check');
    expect(status.shopper.heartbeatEnabled).toBe(false);
    expect(teardown.liveChildren).toBe(1);
    await teardown.run();
    expect(await agent.exited).toBe(0);
    const log = readFileSync(path.join(dir, 'agent.log'), 'utf8');
    expect(log).toContain('agent listening');
    expect(log).not.toContain(token);
  });

  it('reports an agent that exits before listening, with its error', { timeout: 120_000 }, async () => {
    const error = await startAgentProcess({
      launch: agentLaunch(AGENT_DIR, () => false),
      env: { ...agentEnv(process.env, { token: 'short', workspace: path.join(dir, 'ws'), extra: {} }) },
      logFile: path.join(dir, 'agent.log'),
      teardown,
      startTimeoutMs: 90_000,
    }).catch((caught: Error) => caught);
    expect((error as Error).message).toMatch(/^agent exited with code 2 before listening: .*GPU_SHOPPER_NODE_TOKEN: must be at least 16 characters/);
  });
});

// Test helpers: a complete test config, a GPU-less runCommand, and an agent started on port 0.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startAgent } from '../../src/agent';
import type { AgentDeps, RunningAgent } from '../../src/agent';
import type { AgentConfig } from '../../src/config';
import { silentLogger } from '../../src/logger';
import type { RunCommand } from '../../src/process/run-command';

export const TEST_TOKEN = 'test-token-0123456789abcdef';

/** nvidia-smi absent, every other command succeeds (the power-off command must never really run). */
export const noGpuRunCommand: RunCommand = async (command) => {
  if (command === 'nvidia-smi') throw Object.assign(new Error('spawn nvidia-smi ENOENT'), { code: 'ENOENT' });
  return { exitCode: 0, stdout: '', stderr: '' };
};

/** Config overrides; `llm` is merged over the test defaults (a test names only what it is about). */
export type TestConfigOverrides = Omit<Partial<AgentConfig>, 'llm'> & { llm?: Partial<AgentConfig['llm']> };

export function testConfig(overrides: TestConfigOverrides = {}): AgentConfig {
  const minute = 60_000;
  const { llm, ...rest } = overrides;
  return {
    port: 0,
    host: '127.0.0.1',
    workspaceRoot: mkdtempSync(path.join(tmpdir(), 'agent-test-ws-')),
    nodeToken: TEST_TOKEN,
    sessionId: 'sess_test',
    shopperUrl: null,
    workload: 'batch',
    reservationEndsAt: null,
    maxUploadBytes: 1024 * 1024,
    llm: { model: null, command: null, upstreamUrl: 'http://127.0.0.1:9', readinessPollIntervalMs: 50, maxRestarts: 3, restartBackoffMs: 50, readyTimeoutMs: null, ...llm },
    heartbeat: { intervalMs: 15_000, maxBackoffMs: 300_000, timeoutMs: 2000 },
    idle: {
      llm: { idleAfterMs: 30 * minute, gpuActivePercent: 5 },
      training: { idleAfterMs: 20 * minute, gpuActivePercent: 5 },
      batch: { idleAfterMs: 10 * minute, gpuActivePercent: 5 },
    },
    deadMan: { unreachableAfterMs: 30 * minute, graceAfterReservationEndMs: 15 * minute },
    shutdown: { jobGraceMs: 2000 },
    gpuSampleIntervalMs: 15_000,
    powerOffCommand: 'true',
    vast: null,
    ...rest,
  };
}

export interface TestAgent extends RunningAgent {
  auth: Record<string, string>;
  /** fetch against the agent with the token. */
  call(path: string, init?: RequestInit): Promise<Response>;
  dispose(): Promise<void>;
}

export async function startTestAgent(overrides: TestConfigOverrides = {}, deps: AgentDeps = {}): Promise<TestAgent> {
  const config = testConfig(overrides);
  const agent = await startAgent(config, { logger: silentLogger, runCommand: noGpuRunCommand, tickIntervalMs: 0, ...deps });
  const auth = { authorization: `Bearer ${TEST_TOKEN}` };
  return Object.assign(agent, {
    auth,
    call: (pathname: string, init: RequestInit = {}) =>
      fetch(`${agent.url}${pathname}`, { ...init, headers: { ...auth, ...(init.headers as Record<string, string> | undefined) } }),
    dispose: async () => {
      await agent.runtime.jobs.stopAll(500);
      await agent.close();
      rmSync(config.workspaceRoot, { recursive: true, force: true });
    },
  });
}

// Runs the planned checks against real agent processes: one batch agent (short idle threshold,
// 1 s GPU sampling) for status, idle detection and the file round trip, then, when the LLM check is
// planned, a second agent with the llm workload that starts vLLM. Always four rows, in order.
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { statusReader } from './agent-api';
import { agentEnv, startAgentProcess } from './agent-process';
import type { AgentLaunch, AgentProcess } from './agent-process';
import type { ListedGpu } from './detect-gpu';
import type { ProbeRunner } from './exec';
import { ROUND_TRIP_BYTES, runFileRoundTrip } from './files-check';
import { prepareLoad, startLoad } from './gpu-load';
import { runIdleCheck } from './idle-check';
import { judgeChat, measureStreamedChat, waitForEngineReady } from './llm-check';
import { CHECK_NAMES } from './plan';
import type { CheckPlan } from './plan';
import { compareStatusWithListing } from './status-check';
import { failRow, skippedRow } from './table';
import type { CheckRow } from './table';
import type { Teardown } from './teardown';

/** Idle settings of the check's agent: short, so busy → idle shows within seconds, not minutes. */
export const IDLE_SETTINGS = { thresholdSeconds: 10, gpuActivePercent: 5, gpuSampleSeconds: 1 } as const;
const STATUS_POLL_MS = 1000;
const AGENT_START_TIMEOUT_MS = 60_000;
export const ENGINE_READY_TIMEOUT_MS = 10 * 60_000;
const CHAT_MAX_TOKENS = 128;

export interface RunContext {
  env: NodeJS.ProcessEnv;
  run: ProbeRunner;
  teardown: Teardown;
  /** Temporary directory of this run: workspaces, agent logs, the load program. */
  workDir: string;
  launch: AgentLaunch;
  loadSeconds: number;
  progress: (line: string) => void;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

/** A free local port for the engine's upstream URL (the agent needs it before the engine binds it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** A check that throws becomes a FAIL row; the token is never part of what is printed. */
async function guarded(name: string, token: string, check: () => Promise<CheckRow>): Promise<CheckRow> {
  try {
    return await check();
  } catch (error) {
    return failRow(name, ((error as Error).message || String(error)).replaceAll(token, '***'));
  }
}

async function startAgent(context: RunContext, token: string, label: string, extra: Record<string, string>): Promise<AgentProcess> {
  const workspace = path.join(context.workDir, `workspace-${label}`);
  await mkdir(workspace, { recursive: true });
  return startAgentProcess({
    launch: context.launch,
    env: agentEnv(context.env, { token, workspace, extra }),
    logFile: path.join(context.workDir, `agent-${label}.log`),
    teardown: context.teardown,
    startTimeoutMs: AGENT_START_TIMEOUT_MS,
  });
}

async function batchChecks(plan: CheckPlan, listed: ListedGpu[], context: RunContext, token: string): Promise<CheckRow[]> {
  const skipped = (key: 'status' | 'idle' | 'files') => {
    const planned = plan[key];
    return planned.run ? null : skippedRow(CHECK_NAMES[key], planned.reason);
  };
  if (!plan.status.run && !plan.idle.run && !plan.files.run) return (['status', 'idle', 'files'] as const).map((key) => skipped(key)!);

  context.progress(`starting the agent (${context.launch.source})`);
  let agent: AgentProcess;
  try {
    agent = await startAgent(context, token, 'batch', {
      GPU_SHOPPER_WORKLOAD: 'batch',
      AGENT_IDLE_BATCH_MIN: String(IDLE_SETTINGS.thresholdSeconds / 60),
      AGENT_IDLE_GPU_PERCENT: String(IDLE_SETTINGS.gpuActivePercent),
      AGENT_GPU_SAMPLE_INTERVAL_S: String(IDLE_SETTINGS.gpuSampleSeconds),
      AGENT_MAX_UPLOAD_BYTES: String(2 * ROUND_TRIP_BYTES),
    });
  } catch (error) {
    const reason = `agent did not start: ${(error as Error).message}`;
    return (['status', 'idle', 'files'] as const).map((key) => skipped(key) ?? failRow(CHECK_NAMES[key], reason));
  }
  try {
    const readStatus = statusReader(agent.url, token);
    const rows: CheckRow[] = [];
    rows.push(skipped('status') ?? (await guarded(CHECK_NAMES.status, token, async () => compareStatusWithListing(listed, (await readStatus()).gpu))));

    const idle = plan.idle;
    if (!idle.run) rows.push(skippedRow(CHECK_NAMES.idle, idle.reason));
    else {
      rows.push(
        await guarded(CHECK_NAMES.idle, token, async () => {
          const directory = path.join(context.workDir, 'load');
          await mkdir(directory, { recursive: true });
          context.progress(idle.load === 'nvcc' ? 'building the CUDA busy kernel with nvcc' : 'preparing the PyTorch matmul load');
          const prepared = await prepareLoad(idle.load, { directory, nvccPath: idle.nvccPath, run: context.run, env: context.env, seconds: context.loadSeconds });
          if (!prepared.ok) return failRow(CHECK_NAMES.idle, prepared.reason);
          context.progress(`loading the GPU for ${context.loadSeconds} s, then waiting for the agent to call it idle`);
          return runIdleCheck({
            readStatus,
            startLoad: () => startLoad(prepared.command, context.env, context.teardown),
            now: context.now,
            sleep: context.sleep,
            pollMs: STATUS_POLL_MS,
            gpuActivePercent: IDLE_SETTINGS.gpuActivePercent,
            idleThresholdMs: IDLE_SETTINGS.thresholdSeconds * 1000,
            idleTimeoutMs: (IDLE_SETTINGS.thresholdSeconds + 10 * IDLE_SETTINGS.gpuSampleSeconds + 20) * 1000,
          });
        }),
      );
    }

    if (!plan.files.run) rows.push(skippedRow(CHECK_NAMES.files, plan.files.reason));
    else {
      context.progress(`uploading and downloading ${ROUND_TRIP_BYTES / 1024 ** 2} MiB`);
      rows.push(await guarded(CHECK_NAMES.files, token, () => runFileRoundTrip({ agentUrl: agent.url, token, sizeBytes: ROUND_TRIP_BYTES, remotePath: 'gpu-check/round-trip.bin', now: context.now })));
    }
    return rows;
  } finally {
    await agent.stop();
  }
}

async function llmCheck(plan: CheckPlan, context: RunContext, token: string): Promise<CheckRow> {
  const llm = plan.llm;
  if (!llm.run) return skippedRow(CHECK_NAMES.llm, llm.reason);
  return guarded(CHECK_NAMES.llm, token, async () => {
    context.progress(`starting vLLM on ${llm.model} through the agent (up to ${ENGINE_READY_TIMEOUT_MS / 60_000} min)`);
    const agent = await startAgent(context, token, 'llm', {
      GPU_SHOPPER_WORKLOAD: 'llm',
      GPU_SHOPPER_LLM_MODEL: llm.model,
      AGENT_LLM_UPSTREAM_URL: `http://127.0.0.1:${await freePort()}`,
      // A crashing engine is reported at its first exit, with its output, instead of being restarted.
      AGENT_LLM_MAX_RESTARTS: '0',
      // The engine inherits the agent's environment: it must use the cache, never download.
      HF_HUB_OFFLINE: '1',
      TRANSFORMERS_OFFLINE: '1',
    });
    try {
      const wait = await waitForEngineReady({ readStatus: statusReader(agent.url, token), now: context.now, sleep: context.sleep, pollMs: 2000, timeoutMs: ENGINE_READY_TIMEOUT_MS });
      if (!wait.ready) return failRow(CHECK_NAMES.llm, `${llm.model}: ${wait.reason}`);
      context.progress('engine ready; streaming a chat completion through the agent');
      const measurement = await measureStreamedChat({ baseURL: `${agent.url}/node/v1/llm/v1`, apiKey: token, model: llm.model, maxTokens: CHAT_MAX_TOKENS, now: context.now });
      return judgeChat(measurement, { model: llm.model, engineReadyAfterMs: wait.waitedMs });
    } finally {
      await agent.stop();
    }
  });
}

export async function runPlannedChecks(plan: CheckPlan, listed: ListedGpu[], context: RunContext): Promise<CheckRow[]> {
  // A fresh token per run, never printed: it only has to be shared between this process and its agents.
  const token = randomBytes(24).toString('base64url');
  const rows = await batchChecks(plan, listed, context, token);
  rows.push(await llmCheck(plan, context, token));
  return rows;
}

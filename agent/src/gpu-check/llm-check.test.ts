// The LLM check's streaming measurement through a real (in-process) agent in front of the fake
// echo upstream, with the official openai SDK; and the engine wait on scripted statuses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeLlmUpstream } from '../../../packages/simulators/src/llm/index';
import type { FakeLlmUpstream } from '../../../packages/simulators/src/llm/index';
import { startTestAgent, TEST_TOKEN } from '../../test/test-support/agent-harness';
import type { TestAgent } from '../../test/test-support/agent-harness';
import type { NodeStatus } from '../status/node-status';
import { CHAT_PROMPT, judgeChat, measureStreamedChat, waitForEngineReady } from './llm-check';

const MODEL = 'fake-echo';

describe('measureStreamedChat through the agent', () => {
  let upstream: FakeLlmUpstream;
  let agent: TestAgent;
  beforeAll(async () => {
    upstream = await startFakeLlmUpstream({ modelId: MODEL, chunkDelayMs: 20 });
    agent = await startTestAgent({ workload: 'llm', llm: { model: MODEL, command: null, upstreamUrl: upstream.url, readinessPollIntervalMs: 50 } });
    await agent.runtime.engine.waitUntilReady(5000);
  });
  afterAll(async () => {
    await agent.dispose();
    await upstream.close();
  });

  it('times the first token and counts the streamed pieces (the fake sends no usage)', async () => {
    const measurement = await measureStreamedChat({ baseURL: `${agent.url}/node/v1/llm/v1`, apiKey: TEST_TOKEN, model: MODEL, maxTokens: 64, now: () => performance.now() });
    expect(measurement.text).toBe(CHAT_PROMPT);
    expect(measurement.tokenSource).toBe('chunks');
    expect(measurement.tokens).toBeGreaterThan(1);
    expect(measurement.firstTokenAtMs).toBeGreaterThan(measurement.startedAtMs);
    expect(measurement.lastTokenAtMs).toBeGreaterThan(measurement.firstTokenAtMs!);
    expect(judgeChat(measurement, { model: MODEL, engineReadyAfterMs: 4200 })).toMatchObject({
      result: 'ok',
      figure: expect.stringMatching(/^TTFT \d+ ms, [\d.]+ tok\/s$/),
      detail: `${MODEL}: ${measurement.tokens} chunks (no usage sent); engine ready after 4.2 s`,
    });
    expect(agent.runtime.activity.snapshot().llmRequests).toBeGreaterThanOrEqual(1);
  });

  it('fails on a wrong token with the SDK\'s error, never showing the token', async () => {
    const error = await measureStreamedChat({ baseURL: `${agent.url}/node/v1/llm/v1`, apiKey: 'wrong-token-0123456789', model: MODEL, maxTokens: 8, now: () => performance.now() }).catch((caught: Error) => caught);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/401/);
    expect((error as Error).message).not.toContain('wrong-token-0123456789');
  });
});

describe('judgeChat', () => {
  it('prefers the usage figure and reports TTFT and decode rate', () => {
    expect(judgeChat({ startedAtMs: 1000, firstTokenAtMs: 1085, lastTokenAtMs: 2085, tokens: 129, tokenSource: 'usage', text: '1 2 3' }, { model: 'Qwen/Qwen2.5-0.5B-Instruct', engineReadyAfterMs: 95_000 })).toEqual({
      check: 'LLM chat',
      result: 'ok',
      figure: 'TTFT 85 ms, 128 tok/s',
      detail: 'Qwen/Qwen2.5-0.5B-Instruct: 129 tokens; engine ready after 95 s',
    });
  });

  it('fails on an answer without text', () => {
    expect(judgeChat({ startedAtMs: 0, firstTokenAtMs: null, lastTokenAtMs: null, tokens: 0, tokenSource: 'usage', text: '' }, { model: 'm', engineReadyAfterMs: 1 })).toMatchObject({ result: 'FAIL', detail: 'm: the streamed answer had no text' });
  });
});

describe('waitForEngineReady', () => {
  const engineStatus = (state: NodeStatus['llmEngine']['state'], recentOutput: string[] = [], exitCode: number | null = null, failureReason: string | null = null) =>
    ({ llmEngine: { state, managed: true, model: 'm', exitCode, lastReadyAt: null, failureReason, recentOutput } }) as NodeStatus;
  const clock = () => {
    let nowMs = 0;
    return { now: () => nowMs, sleep: async (ms: number) => void (nowMs += ms) };
  };

  it('waits through "starting" until ready', async () => {
    const states = [engineStatus('starting'), engineStatus('starting'), engineStatus('ready')];
    expect(await waitForEngineReady({ readStatus: async () => states.shift()!, ...clock(), pollMs: 2000, timeoutMs: 60_000 })).toEqual({ ready: true, waitedMs: 4000 });
  });

  it('waits through an engine restart ("exited") and stops at a failed engine with its reason, and at the timeout', async () => {
    const states = [engineStatus('exited', ['engine died'], 1), engineStatus('starting'), engineStatus('ready')];
    expect(await waitForEngineReady({ readStatus: async () => states.shift()!, ...clock(), pollMs: 2000, timeoutMs: 60_000 })).toEqual({ ready: true, waitedMs: 4000 });
    const stopped = engineStatus('stopped', ['Loading weights', 'torch.OutOfMemoryError: CUDA out of memory', 'engine died'], 1);
    expect(await waitForEngineReady({ readStatus: async () => stopped, ...clock(), pollMs: 2000, timeoutMs: 60_000 })).toEqual({
      ready: false,
      reason: 'engine stopped with code 1 after 0.0 s: Loading weights | torch.OutOfMemoryError: CUDA out of memory | engine died',
    });
    const failed = engineStatus('failed', ['engine died'], 1, 'LLM engine exited with code 1: CUDA out of memory');
    expect(await waitForEngineReady({ readStatus: async () => failed, ...clock(), pollMs: 2000, timeoutMs: 60_000 })).toEqual({
      ready: false,
      reason: 'engine failed with code 1 after 0.0 s: LLM engine exited with code 1: CUDA out of memory',
    });
    expect(await waitForEngineReady({ readStatus: async () => engineStatus('starting', ['INFO loading']), ...clock(), pollMs: 2000, timeoutMs: 10_000 })).toEqual({
      ready: false,
      reason: 'engine not ready after 10 s; last output: INFO loading',
    });
  });
});

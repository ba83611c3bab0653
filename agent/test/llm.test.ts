// LLM access over HTTP: the typed chat call, the OpenAI-compatible pass-through (streamed chunk by
// chunk), the official openai SDK, and a managed engine process; all against the fake echo upstream.
// Then the engine's readiness and failures, with a stand-in engine process (test-support/fake-engine.mjs).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock';
import type { NodeStatus } from '../src/status/node-status';
import { startFakeLlmUpstream } from '../../packages/simulators/src/llm/index';
import type { FakeLlmUpstream } from '../../packages/simulators/src/llm/index';
import { startTestAgent, TEST_TOKEN } from './test-support/agent-harness';
import type { TestAgent } from './test-support/agent-harness';
import { fakeShopper } from './test-support/fake-shopper';

const MODEL = 'fake-echo';
const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('LLM through the agent', () => {
  let upstream: FakeLlmUpstream;
  let agent: TestAgent;
  beforeAll(async () => {
    upstream = await startFakeLlmUpstream({ modelId: MODEL, chunkDelayMs: 60 });
    agent = await startTestAgent({ workload: 'llm', llm: { model: MODEL, command: null, upstreamUrl: upstream.url, readinessPollIntervalMs: 50 } });
    await agent.runtime.engine.waitUntilReady(5000);
  });
  afterAll(async () => {
    await agent.dispose();
    await upstream.close();
  });

  it('chats through POST /node/v1/llm/chat', async () => {
    const response = await agent.call('/node/v1/llm/chat', json({ messages: [{ role: 'user', content: 'hello GPU world' }] }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ model: MODEL, content: 'hello GPU world', finishReason: 'stop', usage: { promptTokens: 1, completionTokens: 3, totalTokens: 4 } });
    expect(agent.runtime.activity.snapshot().llmRequests).toBeGreaterThanOrEqual(1);
  });

  it('reports chat errors: bad input, unknown model, missing token', async () => {
    const invalid = await agent.call('/node/v1/llm/chat', json({ messages: [] }));
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ code: 'BAD_REQUEST', data: { httpStatus: 400, field: 'messages' } });
    const unknownModel = await agent.call('/node/v1/llm/chat', json({ model: 'gpt-9', messages: [{ role: 'user', content: 'x' }] }));
    expect(unknownModel.status).toBe(404);
    expect(((await unknownModel.json()) as { message: string }).message).toMatch(/gpt-9/);
    const anonymous = await fetch(`${agent.url}/node/v1/llm/chat`, json({ messages: [{ role: 'user', content: 'x' }] }));
    expect(anonymous.status).toBe(401);
    const anonymousPassthrough = await fetch(`${agent.url}/node/v1/llm/v1/models`);
    expect(anonymousPassthrough.status).toBe(401);
    // The pass-through speaks OpenAI's error envelope, which the OpenAI SDKs read.
    expect(await anonymousPassthrough.json()).toEqual({ error: { code: 'UNAUTHORIZED', message: 'Missing or invalid bearer token', param: null } });
  });

  it('passes /v1/models through', async () => {
    const response = await agent.call('/node/v1/llm/v1/models');
    expect(((await response.json()) as { data: { id: string }[] }).data[0]?.id).toBe(MODEL);
  });

  it('streams SSE chunk by chunk: the first chunk arrives before the upstream has finished', async () => {
    const words = Array.from({ length: 12 }, (_, i) => `w${i}`).join(' ');
    const startedAt = Date.now();
    const response = await agent.call('/node/v1/llm/v1/chat/completions', json({ stream: true, messages: [{ role: 'user', content: words }] }));
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.getReader();
    const first = await reader.read();
    const firstChunkMs = Date.now() - startedAt;
    expect(new TextDecoder().decode(first.value)).toMatch(/^data: /);
    let text = new TextDecoder().decode(first.value);
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    const totalMs = Date.now() - startedAt;
    // The upstream needs 13 × 60 ms ≈ 780 ms for the whole answer.
    expect(totalMs).toBeGreaterThan(700);
    expect(firstChunkMs).toBeLessThan(totalMs - 500);
    expect(text.trim().endsWith('data: [DONE]')).toBe(true);
  });

  it('works with the official openai SDK (streamed and not)', async () => {
    const client = new OpenAI({ baseURL: `${agent.url}/node/v1/llm/v1`, apiKey: TEST_TOKEN });
    const stream = await client.chat.completions.create({ model: MODEL, stream: true, messages: [{ role: 'user', content: 'stream me please' }] });
    let content = '';
    let chunks = 0;
    for await (const chunk of stream) {
      content += chunk.choices[0]?.delta.content ?? '';
      chunks += 1;
    }
    expect(content).toBe('stream me please');
    expect(chunks).toBeGreaterThan(3);
    const completion = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'once' }] });
    expect(completion.choices[0]?.message.content).toBe('once');
    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toEqual([MODEL]);
    const wrongKey = new OpenAI({ baseURL: `${agent.url}/node/v1/llm/v1`, apiKey: 'wrong', maxRetries: 0 });
    await expect(wrongKey.models.list()).rejects.toMatchObject({ status: 401 });
  });
});

describe('LLM engine', () => {
  it('answers 503 when the node runs no LLM', async () => {
    const agent = await startTestAgent({ workload: 'batch' });
    try {
      const response = await agent.call('/node/v1/llm/chat', json({ messages: [{ role: 'user', content: 'x' }] }));
      expect(response.status).toBe(503);
      expect((await agent.call('/node/v1/llm/v1/models')).status).toBe(503);
    } finally {
      await agent.dispose();
    }
  });

  it('starts the configured engine command, gates readiness on it, and stops it', async () => {
    const port = await freePort();
    const fakeMain = fileURLToPath(new URL('../../packages/simulators/src/llm/main.ts', import.meta.url));
    const agent = await startTestAgent({
      workload: 'llm',
      llm: { model: 'managed-echo', command: `${process.execPath} --import tsx ${fakeMain} --port {port} --model {model}`, upstreamUrl: `http://127.0.0.1:${port}`, readinessPollIntervalMs: 50 },
    });
    try {
      expect(agent.runtime.engine.status()).toMatchObject({ managed: true, state: 'starting' });
      expect((await fetch(`${agent.url}/node/v1/healthz`)).status).toBe(503);
      expect(await agent.runtime.engine.waitUntilReady(15_000)).toBe(true);
      const health = await fetch(`${agent.url}/node/v1/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok', ready: true });
      const chat = await agent.call('/node/v1/llm/chat', json({ messages: [{ role: 'user', content: 'managed hello' }] }));
      expect(await chat.json()).toMatchObject({ model: 'managed-echo', content: 'managed hello' });
    } finally {
      await agent.dispose();
    }
    expect(agent.runtime.engine.state).toBe('stopped');
  });
});

describe('LLM engine readiness and failures', () => {
  const fakeEngine = fileURLToPath(new URL('./test-support/fake-engine.mjs', import.meta.url));
  const engineCommand = (flags: string) => `${process.execPath} ${fakeEngine} --port {port} --model {model} ${flags}`;
  let scratch: string;
  let agent: TestAgent | null = null;
  beforeAll(() => {
    scratch = mkdtempSync(path.join(tmpdir(), 'agent-engine-test-'));
  });
  afterEach(async () => {
    await agent?.dispose();
    agent = null;
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  const status = async () => (await (await agent!.call('/node/v1/status')).json()) as NodeStatus;

  it('is not ready while the engine does not answer, then ready once it serves the requested model', async () => {
    const loaded = path.join(scratch, 'loaded');
    const port = await freePort();
    agent = await startTestAgent({ workload: 'llm', llm: { model: 'late-model', command: engineCommand(`--listen-when-exists ${loaded}`), upstreamUrl: `http://127.0.0.1:${port}` } });
    for (let probe = 0; probe < 4; probe += 1) {
      await sleep(60);
      await agent.tick();
    }
    expect(agent.runtime.engine.state).toBe('starting');
    expect(agent.runtime.ready).toBe(false);
    expect((await fetch(`${agent.url}/node/v1/healthz`)).status).toBe(503);
    expect((await status()).llmEngine).toMatchObject({ state: 'starting', notReadyReason: expect.stringMatching(/does not answer/), servedModels: null });
    writeFileSync(loaded, '');
    expect(await agent.runtime.engine.waitUntilReady(15_000)).toBe(true);
    expect(agent.runtime.ready).toBe(true);
    expect((await fetch(`${agent.url}/node/v1/healthz`)).status).toBe(200);
    expect((await status()).llmEngine).toMatchObject({ state: 'ready', servedModels: ['late-model'], notReadyReason: null, restarts: 0, failureReason: null, recentOutput: [] });
  });

  it('is never ready while the engine serves another model, and says which it serves', async () => {
    const port = await freePort();
    agent = await startTestAgent({ workload: 'llm', llm: { model: 'wanted-model', command: engineCommand('--serve other-model'), upstreamUrl: `http://127.0.0.1:${port}` } });
    await tickUntil(agent, () => agent!.runtime.engine.status().servedModels !== null);
    for (let probe = 0; probe < 4; probe += 1) {
      await sleep(60);
      await agent.tick();
    }
    expect(agent.runtime.engine.state).toBe('starting');
    expect(agent.runtime.ready).toBe(false);
    expect(await agent.runtime.engine.waitUntilReady(300)).toBe(false);
    expect((await status()).llmEngine).toMatchObject({
      state: 'starting',
      servedModels: ['other-model'],
      notReadyReason: 'the engine serves other-model, not the requested model wanted-model',
    });
  });

  it('counts any model list as ready when no model was configured (an engine run by someone else)', async () => {
    const upstream = await startFakeLlmUpstream({ modelId: 'whatever-it-runs' });
    try {
      agent = await startTestAgent({ workload: 'llm', llm: { model: null, command: null, upstreamUrl: upstream.url } });
      expect(await agent.runtime.engine.waitUntilReady(5000)).toBe(true);
      expect(agent.runtime.engine.status().servedModels).toEqual(['whatever-it-runs']);
    } finally {
      await agent?.dispose();
      agent = null;
      await upstream.close();
    }
  });

  it('restarts an engine that exits, and becomes ready when a restart serves', async () => {
    const attempts = path.join(scratch, 'recovering-attempts');
    const port = await freePort();
    agent = await startTestAgent({ workload: 'llm', llm: { model: 'flaky', command: engineCommand(`--crash 1 --crash-attempts 1 --attempts-file ${attempts}`), upstreamUrl: `http://127.0.0.1:${port}`, maxRestarts: 2 } });
    await tickUntil(agent, () => agent!.runtime.engine.ready);
    expect(agent.runtime.engine.status()).toMatchObject({ state: 'ready', restarts: 1, failureReason: null });
    expect(readFileSync(attempts, 'utf8')).toBe('2');
  });

  it('gives an engine that keeps dying up after the last restart, with its last output as the reason, and reports it in the heartbeat', async () => {
    const attempts = path.join(scratch, 'dying-attempts');
    const port = await freePort();
    const clock = new ManualClock('2030-01-01T00:00:00Z');
    const shopper = fakeShopper();
    const hfToken = 'hf_do-not-leak-0123456789abcdef';
    agent = await startTestAgent(
      { workload: 'llm', shopperUrl: 'https://shopper.test', llm: { model: 'doomed', command: engineCommand(`--crash 3 --attempts-file ${attempts} --print-env HF_TOKEN`), upstreamUrl: `http://127.0.0.1:${port}`, maxRestarts: 2, restartBackoffMs: 1000 } },
      { clock, fetch: shopper.fetch, baseEnv: { PATH: process.env.PATH, HF_TOKEN: hfToken } },
    );
    const seen = new Set<string>();
    // Each round: one second passes on the agent's clock (the backoff is 1 s, then 2 s).
    await tickUntil(agent, () => {
      seen.add(agent!.runtime.engine.state);
      return agent!.runtime.engine.state === 'failed';
    }, () => clock.advanceMs(1000));
    expect(seen).toContain('exited');
    expect(readFileSync(attempts, 'utf8')).toBe('3');
    const engine = (await status()).llmEngine;
    expect(engine).toMatchObject({ state: 'failed', restarts: 2, maxRestarts: 2, exitCode: 3 });
    expect(engine.failureReason).toMatch(/^LLM engine exited with code 3 after 2 restarts; given up; last output:\n/);
    expect(engine.failureReason).toMatch(/CUDA out of memory on attempt 3$/);
    expect(engine.failureReason).toContain('HF_TOKEN=[redacted]');
    expect(engine.recentOutput.join('\n')).toContain('attempt 3');
    expect(JSON.stringify(engine)).not.toContain(hfToken);
    expect(agent.runtime.ready).toBe(false);
    expect((await agent.call('/node/v1/llm/chat', json({ messages: [{ role: 'user', content: 'x' }] }))).status).toBe(503);

    clock.advanceMs(15_000);
    await agent.tick();
    const beat = shopper.heartbeats.at(-1)!;
    expect(beat.status).toMatchObject({ llmEngine: 'failed', llmEngineRestarts: 2, ready: false });
    expect(beat.failure).toEqual({ stage: 'engine', reason: engine.failureReason });
    expect(beat.failure!.reason.length).toBeLessThanOrEqual(2000);
    expect(JSON.stringify(shopper.heartbeats)).not.toContain(hfToken);
    // The shopper ends the attempt: the agent winds down as for any shutdown it is told of.
    shopper.answer({ reservationEndsAt: null, shutdown: true, shutdownReason: 'node reported engine failure' });
    clock.advanceMs(15_000);
    await agent.tick();
    expect(agent.runtime.shutdownState).toBe('stopped');
  });

  it('keeps an engine that never answers starting, and reports it as failed after the agent’s ready deadline', async () => {
    const port = await freePort();
    const clock = new ManualClock('2030-01-01T00:00:00Z');
    const shopper = fakeShopper();
    agent = await startTestAgent(
      { workload: 'llm', shopperUrl: 'https://shopper.test', llm: { model: 'stuck', command: engineCommand('--never-listen'), upstreamUrl: `http://127.0.0.1:${port}`, readyTimeoutMs: 10 * 60_000 } },
      { clock, fetch: shopper.fetch },
    );
    await tickUntil(agent, () => agent!.runtime.engine.status().recentOutput.some((line) => line.includes('attempt 1')));
    for (let minute = 1; minute <= 9; minute += 1) {
      clock.advanceMs(60_000);
      await agent.tick();
    }
    expect(agent.runtime.engine.state).toBe('starting');
    expect(shopper.heartbeats.length).toBeGreaterThan(5);
    expect(shopper.heartbeats.every((beat) => beat.failure === undefined && beat.status.llmEngine === 'starting' && !beat.status.ready)).toBe(true);
    clock.advanceMs(60_000);
    await agent.tick();
    expect(agent.runtime.engine.state).toBe('starting');
    const beat = shopper.heartbeats.at(-1)!;
    expect(beat.failure?.stage).toBe('engine');
    expect(beat.failure?.reason).toMatch(/^LLM engine not ready 10 min after the agent started \(the engine does not answer yet \(connection failed\)\); last output:\nfake engine: attempt 1/);
    expect((await status()).llmEngine.failureReason).toBe(beat.failure?.reason);
  });
});

/** Ticks (after `step`, e.g. moving a manual clock) until `done`, waiting a little real time between rounds: the engine is a real process. */
async function tickUntil(agent: TestAgent, done: () => boolean, step: () => void = () => {}, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms (engine ${JSON.stringify(agent.runtime.engine.status())})`);
    step();
    await agent.tick();
    if (!done()) await sleep(30);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

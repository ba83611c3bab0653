// LLM access over HTTP: the typed chat call, the OpenAI-compatible pass-through (streamed chunk by
// chunk), the official openai SDK, and a managed engine process; all against the fake echo upstream.
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeLlmUpstream } from '../../packages/simulators/src/llm/index';
import type { FakeLlmUpstream } from '../../packages/simulators/src/llm/index';
import { startTestAgent, TEST_TOKEN } from './test-support/agent-harness';
import type { TestAgent } from './test-support/agent-harness';

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

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

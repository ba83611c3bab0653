import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoChunks, startFakeLlmUpstream } from './index';
import type { FakeLlmUpstream } from './index';

describe('fake LLM upstream', () => {
  let upstream: FakeLlmUpstream;
  beforeAll(async () => {
    upstream = await startFakeLlmUpstream({ modelId: 'echo-1', chunkDelayMs: 5 });
  });
  afterAll(() => upstream.close());

  it('lists its one model', async () => {
    const body = (await (await fetch(`${upstream.url}/v1/models`)).json()) as { data: { id: string }[] };
    expect(body.data.map((model) => model.id)).toEqual(['echo-1']);
  });

  it('echoes the last user message without streaming', async () => {
    const response = await fetch(`${upstream.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'echo-1', messages: [{ role: 'user', content: 'first' }, { role: 'user', content: 'hello  there world' }] }),
    });
    const body = (await response.json()) as { choices: { message: { content: string } }[] };
    expect(body.choices[0]?.message.content).toBe('hello  there world');
  });

  it('streams word by word, ending with [DONE]', async () => {
    const response = await fetch(`${upstream.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'one two three' }], stream: true }),
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const text = await response.text();
    const events = text.split('\n\n').filter(Boolean).map((event) => event.replace(/^data: /, ''));
    expect(events.at(-1)).toBe('[DONE]');
    const content = events
      .slice(0, -1)
      .map((event) => (JSON.parse(event) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content ?? '')
      .join('');
    expect(content).toBe('one two three');
  });

  it('refuses an unknown model and bad bodies', async () => {
    const unknown = await fetch(`${upstream.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'nope', messages: [] }),
    });
    expect(unknown.status).toBe(404);
    const bad = await fetch(`${upstream.url}/v1/chat/completions`, { method: 'POST', body: '{' });
    expect(bad.status).toBe(400);
  });

  it('answers for any model when asked to stand in for every node', async () => {
    const shared = await startFakeLlmUpstream({ anyModel: true });
    try {
      const response = await fetch(`${shared.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'Qwen/Qwen2.5-0.5B', messages: [{ role: 'user', content: 'hi there' }] }),
      });
      const body = (await response.json()) as { model: string; choices: { message: { content: string } }[] };
      expect(body.model).toBe('Qwen/Qwen2.5-0.5B');
      expect(body.choices[0]?.message.content).toContain('hi there');
    } finally {
      await shared.close();
    }
  });

  it('splits chunks that join back to the answer', () => {
    expect(echoChunks(' a  b c')).toEqual([' a', '  b', ' c']);
    expect(echoChunks('')).toEqual([]);
  });
});

describe('one upstream as the engine of each node\'s model (urlFor)', () => {
  it('lists the named model under its prefix, the configured one elsewhere, and serves chat under both', async () => {
    const upstream = await startFakeLlmUpstream({ modelId: 'simulated-echo', anyModel: true });
    try {
      const named = upstream.urlFor('Qwen/Qwen2.5-0.5B-Instruct');
      expect(await (await fetch(`${named}/v1/models`)).json()).toMatchObject({ data: [{ id: 'Qwen/Qwen2.5-0.5B-Instruct' }] });
      expect(await (await fetch(`${upstream.url}/v1/models`)).json()).toMatchObject({ data: [{ id: 'simulated-echo' }] });
      const chat = await fetch(`${named}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'Qwen/Qwen2.5-0.5B-Instruct', messages: [{ role: 'user', content: 'hello there' }] }) });
      expect(await chat.json()).toMatchObject({ model: 'Qwen/Qwen2.5-0.5B-Instruct', choices: [{ message: { content: 'hello there' } }] });
    } finally {
      await upstream.close();
    }
  });
});

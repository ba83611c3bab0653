// The OpenAI-compatible pass-through under /node/v1/llm/v1, so the official SDK works with
// baseURL = <node>/node/v1/llm/v1 and the session token as its API key. Streamed answers (SSE)
// are piped chunk by chunk, never buffered.
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { FastifyInstance } from 'fastify';
import type { AgentRuntime } from '../runtime';
import { fetchEngine } from './upstream';

const FORWARDED_RESPONSE_HEADERS = ['content-type', 'cache-control'];

export function registerOpenAiPassthrough(app: FastifyInstance, runtime: AgentRuntime): void {
  app.get('/node/v1/llm/v1/models', async (_request, reply) => {
    const upstream = await fetchEngine(runtime, '/v1/models', { signal: AbortSignal.timeout(10_000) });
    reply.code(upstream.status).header('content-type', upstream.headers.get('content-type') ?? 'application/json');
    return reply.send(Buffer.from(await upstream.arrayBuffer()));
  });

  app.post('/node/v1/llm/v1/chat/completions', async (request, reply) => {
    const done = runtime.activity.begin('llmRequests');
    // The client going away must stop the generation upstream too.
    const abort = new AbortController();
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) abort.abort();
      done();
    });
    const body = (request.body ?? {}) as Record<string, unknown>;
    const model = body.model ?? runtime.config.llm.model ?? undefined;
    let upstream: Response;
    try {
      upstream = await fetchEngine(runtime, '/v1/chat/completions', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: String(request.headers.accept ?? '*/*') },
        body: JSON.stringify({ ...body, ...(model ? { model } : {}) }),
        signal: abort.signal,
      });
    } catch (error) {
      done();
      throw error;
    }
    reply.code(upstream.status);
    for (const name of FORWARDED_RESPONSE_HEADERS) {
      const value = upstream.headers.get(name);
      if (value) reply.header(name, value);
    }
    if (!upstream.body) return reply.send();
    if ((upstream.headers.get('content-type') ?? '').includes('text/event-stream')) {
      reply.header('x-accel-buffering', 'no');
      reply.header('cache-control', 'no-cache');
    }
    return reply.send(Readable.fromWeb(upstream.body as WebReadableStream<Uint8Array>));
  });
}

// A tiny OpenAI-compatible LLM server for tests: it echoes the last user message word by word,
// so the agent's proxy and the official SDK can be exercised without downloading a model.
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeLlmUpstreamOptions {
  port?: number;
  host?: string;
  /** Pause between streamed chunks, so a test can see the first chunk arrive before the last is sent. */
  chunkDelayMs?: number;
  modelId?: string;
  /** Answer for whatever model is asked (one shared demo engine standing in for every node's model). */
  anyModel?: boolean;
}

export interface FakeLlmUpstream {
  url: string;
  port: number;
  /**
   * A base URL under which the upstream is the engine of one named model: its /v1/models lists that
   * model (an agent is ready only when its engine lists the model it was asked for), so one shared
   * upstream can stand in for every node's engine, each serving its own model.
   */
  urlFor(model: string): string;
  /** Number of chat completion requests served, streamed or not. */
  chatRequestCount(): number;
  close(): Promise<void>;
}

interface ChatMessage {
  role: string;
  content: unknown;
}

const MAX_BODY_BYTES = 1_000_000;
/** A path under urlFor(model): the model's name, URL-encoded, then the OpenAI path. */
const ENGINE_PREFIX = /^\/as\/([^/]+)(?=\/)/;

/** The deterministic answer: the text of the last user message, unchanged. */
export function echoAnswer(messages: ChatMessage[]): string {
  const lastUser = [...messages].reverse().find((message) => message.role === 'user');
  if (!lastUser) return '';
  if (typeof lastUser.content === 'string') return lastUser.content;
  if (Array.isArray(lastUser.content)) {
    return lastUser.content
      .map((part: unknown) => (part && typeof part === 'object' && 'text' in part ? String((part as { text: unknown }).text) : ''))
      .join('');
  }
  return '';
}

/** Splits the answer into chunks that concatenate back to it exactly (words keep their leading space). */
export function echoChunks(answer: string): string[] {
  return answer.match(/\s*\S+/g) ?? [];
}

function sendJson(res: ServerResponse, statusCode: number, body: unknown): void {
  res.writeHead(statusCode, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function sendError(res: ServerResponse, statusCode: number, message: string, type: string): void {
  sendJson(res, statusCode, { error: { message, type, param: null, code: null } });
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let sizeBytes = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    sizeBytes += buffer.length;
    if (sizeBytes > MAX_BODY_BYTES) throw new Error('body too large');
    chunks.push(buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function startFakeLlmUpstream(options: FakeLlmUpstreamOptions = {}): Promise<FakeLlmUpstream> {
  const modelId = options.modelId ?? 'fake-echo-model';
  const chunkDelayMs = options.chunkDelayMs ?? 0;
  let chatRequests = 0;
  let completionCounter = 0;

  async function handleChat(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body: { model?: unknown; messages?: unknown; stream?: unknown };
    try {
      body = (await readJsonBody(req)) as typeof body;
    } catch {
      sendError(res, 400, 'Invalid JSON body', 'invalid_request_error');
      return;
    }
    if (!body || !Array.isArray(body.messages)) {
      sendError(res, 400, "'messages' is required", 'invalid_request_error');
      return;
    }
    const servedModel = options.anyModel && typeof body.model === 'string' ? body.model : modelId;
    if (body.model !== undefined && body.model !== servedModel) {
      sendError(res, 404, `The model '${String(body.model)}' does not exist`, 'not_found_error');
      return;
    }
    chatRequests += 1;
    completionCounter += 1;
    const id = `chatcmpl-fake-${completionCounter}`;
    const created = 1_700_000_000;
    const answer = echoAnswer(body.messages as ChatMessage[]);
    const promptTokens = (body.messages as ChatMessage[]).length;
    const completionTokens = echoChunks(answer).length;
    const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };

    if (body.stream !== true) {
      sendJson(res, 200, {
        id,
        object: 'chat.completion',
        created,
        model: servedModel,
        choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop', logprobs: null }],
        usage,
      });
      return;
    }

    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const chunk = (delta: Record<string, unknown>, finishReason: string | null) =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: servedModel, choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }] })}\n\n`;
    res.write(chunk({ role: 'assistant', content: '' }, null));
    for (const piece of echoChunks(answer)) {
      if (res.destroyed) return;
      if (chunkDelayMs > 0) await sleep(chunkDelayMs);
      res.write(chunk({ content: piece }, null));
    }
    if (chunkDelayMs > 0) await sleep(chunkDelayMs);
    res.write(chunk({}, 'stop'));
    res.write('data: [DONE]\n\n');
    res.end();
  }

  const server = createServer((req, res) => {
    let path = (req.url ?? '/').split('?')[0] ?? '/';
    // /as/<model>/v1/...: this upstream as that one model's engine (see urlFor).
    const named = ENGINE_PREFIX.exec(path);
    const listedModel = named === null ? modelId : decodeURIComponent(named[1]!);
    if (named !== null) path = path.slice(named[0].length);
    if (req.method === 'GET' && path === '/v1/models') {
      sendJson(res, 200, { object: 'list', data: [{ id: listedModel, object: 'model', created: 1_700_000_000, owned_by: 'gpu-shopper-simulators' }] });
      return;
    }
    if (req.method === 'POST' && path === '/v1/chat/completions') {
      handleChat(req, res).catch(() => {
        if (!res.headersSent) sendError(res, 500, 'Internal error', 'server_error');
        else res.destroy();
      });
      return;
    }
    sendError(res, 404, `No route ${req.method ?? ''} ${path ?? ''}`, 'not_found_error');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  const url = `http://${host}:${port}`;
  return {
    url,
    port,
    urlFor: (model) => `${url}/as/${encodeURIComponent(model)}`,
    chatRequestCount: () => chatRequests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

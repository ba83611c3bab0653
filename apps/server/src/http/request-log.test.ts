import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { annotateLogContext, currentLogContext } from '@gpu-shopper/services';
import { consoleLogger, type LogLevel } from '../logger';
import { registerRequestLog, requestIdFor } from './request-log';

describe('request log', () => {
  let app: FastifyInstance | undefined;
  afterEach(() => app?.close());

  async function start(level: LogLevel) {
    const lines: string[] = [];
    const logger = consoleLogger({ write: (line) => lines.push(line) }, { level, format: 'json' });
    app = Fastify({ requestIdHeader: false, genReqId: (request) => requestIdFor(request.headers['x-request-id']) });
    registerRequestLog(app, logger, (_request, path) => (path.startsWith('/sessions/') ? { route: '/sessions/{id}', sessionId: path.split('/')[2] } : undefined));
    app.get('/healthz', () => ({ status: 'ok' }));
    app.get('/sessions/:id', () => ({}));
    // After the body is parsed (on the socket's callbacks) the handler still runs in the request's context.
    app.post('/echo', async (request) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      annotateLogContext({ consumer: 'atlas' });
      return { context: currentLogContext(), body: request.body };
    });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    return { url, records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
  }

  it('keeps a sane X-Request-Id and echoes it; replaces anything else', async () => {
    const { url } = await start('info');
    expect((await fetch(`${url}/healthz`, { headers: { 'x-request-id': 'abc-123.x' } })).headers.get('x-request-id')).toBe('abc-123.x');
    for (const insane of ['has space', 'x'.repeat(129), 'quote"d', '']) {
      const echoed = (await fetch(`${url}/healthz`, { headers: { 'x-request-id': insane } })).headers.get('x-request-id');
      expect(echoed).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect((await fetch(`${url}/healthz`)).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('writes one access line per request: method, route, status, duration, request id, consumer, session; never headers or bodies', async () => {
    const { url, records } = await start('info');
    const answer = await fetch(`${url}/echo`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'req-1', authorization: 'Bearer hunter2-token' }, body: JSON.stringify({ password: 'hunter2', padding: 'x'.repeat(300_000) }) });
    expect(await answer.json()).toMatchObject({ context: { reqId: 'req-1', consumer: 'atlas' }, body: { password: 'hunter2' } });
    await fetch(`${url}/sessions/ses_42?verbose=1`);
    await fetch(`${url}/nowhere?token=abc`);
    await app!.close();
    expect(records()).toEqual([
      { level: 'info', time: expect.any(String), reqId: 'req-1', method: 'POST', route: '/echo', status: 200, durationMs: expect.any(Number), consumer: 'atlas', msg: 'request' },
      { level: 'info', time: expect.any(String), reqId: expect.any(String), method: 'GET', route: '/sessions/{id}', status: 200, durationMs: expect.any(Number), sessionId: 'ses_42', msg: 'request' },
      { level: 'info', time: expect.any(String), reqId: expect.any(String), method: 'GET', route: '/nowhere', status: 404, durationMs: expect.any(Number), msg: 'request' },
    ]);
    expect(JSON.stringify(records())).not.toMatch(/hunter2|token=abc|verbose/);
  });

  it('logs the probes at debug only', async () => {
    const info = await start('info');
    await fetch(`${info.url}/healthz`);
    await app!.close();
    expect(info.records()).toEqual([]);
    const debug = await start('debug');
    await fetch(`${debug.url}/healthz`);
    await app!.close();
    expect(debug.records()).toEqual([expect.objectContaining({ level: 'debug', route: '/healthz', status: 200 })]);
  });
});

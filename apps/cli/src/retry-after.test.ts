// The CLI against a tiny HTTP server that answers 429 with Retry-After: it waits, retries once (reads,
// and provisioning, which carries an Idempotency-Key), and otherwise fails with a clear line and exit 1.
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runCaptured } from './test-support/harness';

const RATE_LIMITED = { error: { message: 'too many requests with this API key; retry in 1 s', code: -32029, data: { code: 'TOO_MANY_REQUESTS', httpStatus: 429, field: null, fieldErrors: null } } };

describe('the CLI honours Retry-After', () => {
  let server: Server | null = null;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  /** 429 (Retry-After: 1) `limited` times, then `data`. */
  async function rateLimitingServer(limited: number, data: unknown) {
    const seen: { method: string; url: string; headers: IncomingHttpHeaders; atMs: number }[] = [];
    server = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        seen.push({ method: request.method!, url: request.url!, headers: request.headers, atMs: Date.now() });
        if (seen.length <= limited) {
          response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
          return response.end(JSON.stringify(RATE_LIMITED));
        }
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ result: { data } }));
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const env = { GPU_SHOPPER_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, GPU_SHOPPER_API_KEY: 'gsc_cli-key' };
    return { seen, env };
  }

  it('waits the stated second and retries a read once (429, then 200)', async () => {
    const { seen, env } = await rateLimitingServer(1, { sessions: [] });
    const run = await runCaptured(['sessions', '--json'], { env });
    expect(run).toMatchObject({ exitCode: 0, stderr: '' });
    expect(JSON.parse(run.stdout)).toEqual({ sessions: [] });
    expect(seen.map((request) => request.url.split('?', 1)[0])).toEqual(['/trpc/sessions.list', '/trpc/sessions.list']);
    expect(seen[1]!.atMs - seen[0]!.atMs).toBeGreaterThanOrEqual(950);
  });

  it('retries provisioning with the same Idempotency-Key', async () => {
    const { seen, env } = await rateLimitingServer(1, { id: 'ses_1', state: 'provisioning' });
    const run = await runCaptured(['provision', '--gpu=4090', '--hours=1', '--idempotency-key=job-42', '--json'], { env });
    expect(run.exitCode).toBe(0);
    expect(seen.map((request) => [request.method, request.headers['idempotency-key']])).toEqual([
      ['POST', 'job-42'],
      ['POST', 'job-42'],
    ]);
  });

  it('fails with a clear line and exit 1 when still rate limited after the retry (429 twice)', async () => {
    const { seen, env } = await rateLimitingServer(2, { sessions: [] });
    const run = await runCaptured(['sessions'], { env });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('gpu-shopper: rate limited by the server (429): too many requests with this API key; retry in 1 s\n');
    expect(seen).toHaveLength(2);
  });

  it('does not retry a mutation without an Idempotency-Key', async () => {
    const { seen, env } = await rateLimitingServer(1, { id: 'ses_1' });
    const run = await runCaptured(['done', 'ses_1'], { env });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/^gpu-shopper: rate limited by the server \(429\)/);
    expect(seen).toHaveLength(1);
  });
});

// The bootstrap's failure report: the exact failure heartbeat it POSTs (escaped, truncated reason,
// bearer token not on the command line), and a failing step of onstart.sh reporting by itself.
import { execFile } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const onstart = path.resolve(import.meta.dirname, '../bootstrap/onstart.sh');
const TOKEN = 'gsn_node-token_0123456789abcdefABCDEF';

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

describe('bootstrap failure reporting', () => {
  let server: Server;
  let url: string;
  let dir: string;
  const received: Received[] = [];
  /** What the shopper answers: a shutdown, as it does once it has failed the attempt. */
  let answer = '{"reservationEndsAt":null,"shutdown":true,"shutdownReason":"provision_failed"}';

  beforeEach(async () => {
    received.length = 0;
    answer = '{"reservationEndsAt":null,"shutdown":true,"shutdownReason":"provision_failed"}';
    dir = mkdtempSync(path.join(tmpdir(), 'bootstrap-failure-'));
    server = createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        received.push({ method: request.method!, url: request.url!, headers: request.headers, body });
        response.writeHead(200, { 'content-type': 'application/json' }).end(answer);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  const nodeEnv = () => ({ PATH: process.env.PATH, GPU_SHOPPER_URL: url, GPU_SHOPPER_SESSION_ID: 'ses_boot1', GPU_SHOPPER_NODE_TOKEN: TOKEN });

  it('POSTs the failure heartbeat with the step and the last lines of its output, JSON-escaped', async () => {
    const output = path.join(dir, 'out.txt');
    writeFileSync(output, `${Array.from({ length: 30 }, (_, n) => `line ${n}`).join('\n')}\nE: "quoted" \\back\\slash\ttab\r\nünïcode\n`);
    const before = Date.now();
    const { stdout, stderr } = await run('sh', [onstart, 'report-failure', 'install Node v20.20.0', output], { env: nodeEnv() });
    expect(`${stdout}${stderr}`).not.toContain(TOKEN);
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request).toMatchObject({ method: 'POST', url: '/api/v1/sessions/ses_boot1/heartbeat' });
    expect(request!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(request!.headers['content-type']).toBe('application/json');
    const body = JSON.parse(request!.body) as { sentAt: string; failure: { reason: string } };
    const tail = [...Array.from({ length: 13 }, (_, n) => `line ${n + 17}`), 'E: "quoted" \\back\\slash\ttab?', '??n??code'].join('\n');
    expect(body).toEqual({
      sessionId: 'ses_boot1',
      sentAt: body.sentAt,
      status: { ready: false, runningJobs: 0, maxGpuUtilizationPercent: null },
      activity: {},
      idle: { idle: false, idleSince: null, reason: 'bootstrap' },
      final: false,
      failure: { stage: 'bootstrap', reason: `install Node v20.20.0 failed: ${tail}` },
    });
    expect(Date.parse(body.sentAt)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(body.sentAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('truncates the reason to 2000 characters, still valid JSON when the cut falls on an escape', async () => {
    const output = path.join(dir, 'long.txt');
    writeFileSync(output, `${'"\\'.repeat(400)}\n`.repeat(15));
    await run('sh', [onstart, 'report-failure', 'pull image', output], { env: nodeEnv() });
    const reason = (JSON.parse(received[0]!.body) as { failure: { reason: string } }).failure.reason;
    expect(reason).toHaveLength(2000);
    expect(reason.startsWith('pull image failed: "\\"\\')).toBe(true);
  });

  it('reports the step alone when there is no output, and nothing without a shopper URL', async () => {
    await run('sh', [onstart, 'report-failure', 'start the container'], { env: nodeEnv() });
    expect((JSON.parse(received[0]!.body) as { failure: { reason: string } }).failure.reason).toBe('start the container failed');
    await run('sh', [onstart, 'report-failure', 'x'], { env: { ...nodeEnv(), GPU_SHOPPER_URL: '' } });
    expect(received).toHaveLength(1);
  });

  it('reports again until the shopper says shut down (it ignores a report that comes before it knows the instance)', async () => {
    answer = '{"reservationEndsAt":null,"shutdown":false}';
    await run('sh', [onstart, 'report-failure', 'pull image'], { env: { ...nodeEnv(), AGENT_REPORT_TRIES: '3', AGENT_REPORT_WAIT: '0' } });
    expect(received).toHaveLength(3);
    expect(new Set(received.map((request) => (JSON.parse(request.body) as { failure: { reason: string } }).failure.reason))).toEqual(new Set(['pull image failed']));
  });

  it('onstart.sh reports a step that fails (no agent bundle and no AGENT_BUNDLE_URL) and exits 1', async () => {
    const bundle = path.join(dir, 'missing', 'agent.js');
    const failure = await run('sh', [onstart], { env: { ...nodeEnv(), AGENT_BUNDLE_PATH: bundle, AGENT_LOG: path.join(dir, 'agent.log'), AGENT_WORKSPACE: path.join(dir, 'ws') } }).catch((error: { code: number; stderr: string }) => error);
    expect((failure as { code?: number }).code).toBe(1);
    expect((failure as { stderr: string }).stderr).toContain(`no agent at ${bundle} and no AGENT_BUNDLE_URL`);
    expect(received).toHaveLength(1);
    expect(received[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect((JSON.parse(received[0]!.body) as { failure: unknown }).failure).toEqual({ stage: 'bootstrap', reason: `fetch the agent failed: no agent at ${bundle} and no AGENT_BUNDLE_URL` });
  });
});

// The log an operator reads, from a whole run against the simulators: a provision, a heartbeat, a
// provider outage over several ticks and a webhook receiver that keeps failing. Every expected line
// appears exactly once with its fields (repeats are debug), and no key, token or secret appears at all.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MS_PER_MINUTE, type Session, type SessionCredentials } from '@gpu-shopper/domain';
import { consoleLogger } from '../src/logger';
import { sendHeartbeat } from './support/fake-node';
import { ADMIN_KEY, startTestStack, VAST_KEY, type TestStack } from './support/stack';

type LogRecord = Record<string, unknown> & { level: string; msg: string };

describe('the server log', () => {
  const lines: string[] = [];
  let stack: TestStack;
  let receiver: Server;
  let webhookSecret: string;
  let session: Session;
  let credentials: SessionCredentials;

  const records = () => lines.map((line) => JSON.parse(line) as LogRecord);
  /** The lines an operator sees at the default level (info and above) that match `fields`. */
  const atInfo = (fields: Record<string, unknown>) => records().filter((record) => record.level !== 'debug' && record.level !== 'trace' && Object.entries(fields).every(([name, value]) => record[name] === value));

  beforeAll(async () => {
    // Debug, to see the repeats too (and check them for secrets).
    const logger = consoleLogger({ write: (line) => lines.push(line) }, { level: 'debug', format: 'json' });
    stack = await startTestStack({ logger });
    receiver = createServer((_request, response) => response.writeHead(500).end('receiver down'));
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const hook = await stack.json<{ secret: string }>('/api/v1/webhook', { method: 'PUT', body: JSON.stringify({ url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks` }) });
    webhookSecret = hook.secret;

    session = await stack.json<Session>('/api/v1/sessions', { method: 'POST', headers: { 'x-request-id': 'req-provision-1' }, body: JSON.stringify({ gpu: '4090', hours: 1, provider: 'vastai' }) });
    await stack.server.provisioner!.settled();
    await stack.server.tick();
    credentials = await stack.json<SessionCredentials>(`/api/v1/sessions/${session.id}/credentials`);
    await sendHeartbeat(stack, session.id, credentials.nodeToken);
    expect((await stack.json<Session>(`/api/v1/sessions/${session.id}`)).state).toBe('ready');

    // The provider's listing fails (its error echoing our key) for three ticks, then recovers;
    // meanwhile the session.ready webhook fails on every attempt.
    stack.sims.vast.faults.set({ errors: { list: { status: 503, text: `upstream unavailable for key ${VAST_KEY}` } } });
    for (let tick = 0; tick < 3; tick += 1) {
      await stack.server.tick();
      stack.clock.advance(MS_PER_MINUTE);
    }
    stack.sims.vast.faults.clear();
    await stack.server.tick();
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  it('is JSON lines with level, time and msg', () => {
    expect(lines.length).toBeGreaterThan(10);
    for (const record of records()) expect(record).toMatchObject({ level: expect.any(String), time: expect.stringMatching(/Z$/), msg: expect.any(String) });
  });

  it('never shows a key, token or secret', () => {
    const text = lines.join('');
    for (const secret of [ADMIN_KEY, stack.consumerKey, credentials.nodeToken, webhookSecret, VAST_KEY, 'e2e-tensordock-token']) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/gs[acn]_[A-Za-z0-9_-]{20,}|whsec_[A-Za-z0-9_-]{16,}|Bearer (?!\[redacted\])/);
  });

  it('has one access line per request, with its route template, status, duration, request id, consumer and session', () => {
    expect(atInfo({ msg: 'request', method: 'POST', route: '/api/v1/sessions', reqId: 'req-provision-1' })).toEqual([
      expect.objectContaining({ component: 'http', status: 202, durationMs: expect.any(Number), consumer: 'e2e', sessionId: session.id }),
    ]);
    expect(atInfo({ msg: 'request', route: '/api/v1/sessions/{id}/heartbeat' })).toEqual([expect.objectContaining({ method: 'POST', status: 200, sessionId: session.id, reqId: expect.any(String) })]);
    expect(atInfo({ msg: 'request', route: '/api/v1/sessions/{id}/credentials' })).toEqual([expect.objectContaining({ status: 200, consumer: 'e2e', sessionId: session.id })]);
    for (const record of atInfo({ msg: 'request' })) expect(Object.keys(record).sort()).toEqual(expect.arrayContaining(['method', 'route', 'status', 'durationMs', 'reqId']));
    expect(lines.join('')).not.toMatch(/"headers"|"body"|"authorization"/i);
  });

  it('logs each session state change once, with the session, provider and instance', () => {
    expect(atInfo({ msg: 'session created', sessionId: session.id })).toEqual([expect.objectContaining({ component: 'sessions', to: 'provisioning', consumerId: expect.any(String), reqId: 'req-provision-1', consumer: 'e2e' })]);
    const ready = atInfo({ msg: 'session state changed', sessionId: session.id, to: 'ready' });
    expect(ready).toEqual([expect.objectContaining({ from: 'provisioning', provider: 'vastai', instanceId: expect.any(String), actor: 'system' })]);
    expect(atInfo({ msg: 'provisioning: instance created', sessionId: session.id })).toEqual([expect.objectContaining({ provider: 'vastai', instanceId: ready[0]!.instanceId, attempt: 1 })]);
  });

  it('logs a failed provider call once per outage (after its retries), its repeats at debug, and its recovery', () => {
    const failed = records().filter((record) => record.msg === 'provider call failed' && record.operation === 'list_instances');
    expect(failed).toEqual([expect.objectContaining({ level: 'warn', component: 'providers', provider: 'vastai', error: expect.stringContaining('HTTP 503 upstream unavailable for key ***') })]);
    expect(records().filter((record) => record.msg === 'provider call still failing' && record.operation === 'list_instances').map((record) => record.level)).toEqual(['debug', 'debug']);
    expect(atInfo({ msg: 'provider call recovered', operation: 'list_instances' })).toEqual([expect.objectContaining({ provider: 'vastai', failures: 3 })]);
    // The adapter's retries and the lifecycle's own notes on the same failure are debug lines.
    expect(atInfo({ component: 'lifecycle' }).filter((record) => /503/.test(String(record.msg)))).toEqual([]);
    expect(records().some((record) => record.level === 'debug' && /retry 1 in/.test(record.msg))).toBe(true);
  });

  it('logs a failing webhook delivery once (first failure), its retries at debug', () => {
    const failed = atInfo({ msg: 'webhook delivery failed; retrying', event: 'session.ready' });
    expect(failed).toEqual([expect.objectContaining({ level: 'warn', component: 'webhooks', sessionId: session.id, attempt: 1, error: 'HTTP 500 Internal Server Error', deliveryId: expect.any(String) })]);
    const retries = records().filter((record) => record.msg === 'webhook delivery failed again; retrying' && record.deliveryId === failed[0]!.deliveryId);
    expect(retries.length).toBeGreaterThan(0);
    expect(retries.every((record) => record.level === 'debug')).toBe(true);
  });
});

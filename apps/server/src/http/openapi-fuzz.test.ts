// Fuzzes every operation of the served OpenAPI document on a real server (simulated providers):
// each answer must be a 4xx JSON error without a stack trace or a documented success, within a
// timeout; never a 5xx. FUZZ_CASES (per operation) and FUZZ_SEED widen or vary the run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OpenAPIObject } from 'trpc-to-openapi';
import { loadConfig } from '../config';
import type { Logger } from '../logger';
import { startServer, type RunningServer } from '../start';
import { fuzzOperations, generateCases, seededRandom, type Credential, type FuzzCase, type FuzzOperation } from './openapi-fuzz';
import { documentedAnswerProblems } from './openapi-response-check';

const ADMIN_KEY = 'fuzz-admin-key-0123456789';
const CASES_PER_OPERATION = Number(process.env.FUZZ_CASES ?? 40);
const SEED = Number(process.env.FUZZ_SEED ?? 20261129);
const REQUEST_TIMEOUT_MS = 10_000;
const STACK_TRACE = /\n\s+at\s|\(\/[^)]*:\d+:\d+\)|node_modules|\.[cm]?[jt]s:\d+/;

interface ErrorBody {
  message?: unknown;
  code?: unknown;
}

interface Answer {
  status: number;
  contentType: string;
  headers: Headers;
  text: string;
}

describe('OpenAPI fuzz', () => {
  let server: RunningServer;
  const serverErrors: string[] = [];
  const keys: Partial<Record<Credential, string>> = { admin: ADMIN_KEY };
  const ids: string[] = [];

  const send = async (fuzzCase: FuzzCase): Promise<Answer> => {
    const headers = new Headers(fuzzCase.headers);
    const authorization = fuzzCase.credential === 'malformed' ? fuzzCase.authorization : keys[fuzzCase.credential] === undefined ? undefined : `Bearer ${keys[fuzzCase.credential]}`;
    if (authorization !== undefined) headers.set('authorization', authorization);
    // Bytes, so that fetch adds no content type of its own.
    const body = typeof fuzzCase.body === 'string' ? new TextEncoder().encode(fuzzCase.body) : fuzzCase.body;
    const response = await fetch(`${server.url}/api/v1${fuzzCase.url}`, { method: fuzzCase.method, headers, body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    return { status: response.status, contentType: response.headers.get('content-type') ?? '', headers: response.headers, text: await response.text() };
  };
  const call = async (method: string, url: string, credential: Credential, body?: unknown) => {
    const answer = await send({ kind: 'setup', method, url, credential, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: answer.status, json: JSON.parse(answer.text) as Record<string, unknown> };
  };

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpu-shopper-fuzz-'));
    const logger: Logger = { info: () => {}, warn: () => {}, error: (message) => serverErrors.push(message.slice(0, 500)) };
    server = await startServer({
      config: loadConfig({ PORT: '0', HOST: '127.0.0.1', GPU_SHOPPER_DB: join(dir, 'db.sqlite'), GPU_SHOPPER_ADMIN_KEY: ADMIN_KEY, GPU_SHOPPER_SIM_BOOT_DELAY_MS: '0', GPU_SHOPPER_SIM_NODES: 'none', GPU_SHOPPER_RATE_LIMIT: 'off' }),
      logger,
      runLifecycle: false,
    });
    for (const [credential, consumer] of [['consumer', 'fuzz-atlas'], ['other', 'fuzz-borealis']] as const) {
      const created = await call('POST', '/admin/keys', 'admin', { consumer });
      expect(created.status).toBe(200);
      keys[credential] = created.json.key as string;
    }
    // Things `consumer` owns, whose ids the other consumer then tries.
    const budget = await call('POST', '/budgets', 'consumer', { limitUsd: 100, period: 'month' });
    const session = await call('POST', '/sessions', 'consumer', { gpu: '4090', hours: 2 });
    expect([budget.status, session.status]).toEqual([200, 202]);
    ids.push(session.json.id as string, budget.json.id as string);
    await server.provisioner!.settled();
    await server.tick();
    const credentials = await call('GET', `/sessions/${session.json.id as string}/credentials`, 'consumer');
    keys.node = credentials.json.nodeToken as string;
  });
  afterAll(() => server?.close());

  const check = (document: OpenAPIObject, operation: FuzzOperation, fuzzCase: FuzzCase, answer: Answer): string[] => {
    const problems: string[] = [];
    if (answer.status >= 500) problems.push(`${answer.status}`);
    else if (answer.status < 400 && !operation.successStatuses.includes(answer.status)) problems.push(`undocumented success ${answer.status} (documented: ${operation.successStatuses.join(', ')})`);
    if (fuzzCase.expectStatus !== undefined && !fuzzCase.expectStatus.includes(answer.status)) problems.push(`expected ${fuzzCase.expectStatus.join(' or ')}, got ${answer.status}`);
    if (STACK_TRACE.test(answer.text)) problems.push('a stack trace or source path in the body');
    if (answer.status >= 400) {
      let body: ErrorBody | null = null;
      try {
        body = JSON.parse(answer.text) as ErrorBody;
      } catch {
        problems.push('an error body that is not JSON');
      }
      if (!answer.contentType.includes('application/json')) problems.push(`an error with content-type "${answer.contentType}"`);
      if (body !== null && (typeof body.message !== 'string' || typeof body.code !== 'string')) problems.push('an error body without message and code');
      if (fuzzCase.expectMention !== undefined && !answer.text.includes(fuzzCase.expectMention)) problems.push(`an error that does not name ${fuzzCase.expectMention}`);
      // Documented for this operation, in the documented shape.
      if (body !== null) problems.push(...documentedAnswerProblems(document, operation.method, operation.path, { status: answer.status, headers: answer.headers, body }));
    }
    return problems;
  };

  it(`answers every operation's hostile inputs with 4xx or a documented success, never 5xx (${CASES_PER_OPERATION} cases each)`, { timeout: 60_000 + CASES_PER_OPERATION * 2_000 }, async () => {
    const document = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as OpenAPIObject;
    const operations = fuzzOperations(document);
    expect(operations.length).toBeGreaterThan(20);

    // The credential that gets past authorization: a consumer's key, else an operator's, else the node's token.
    const credentials = new Map<string, Credential>();
    for (const operation of operations) {
      const [probe] = generateCases(operation, 1, seededRandom(SEED), { ids: [] });
      let chosen: Credential = 'consumer';
      for (const credential of ['consumer', 'admin', 'node'] as const) {
        chosen = credential;
        if (![401, 403].includes((await send({ ...probe!, credential })).status)) break;
      }
      credentials.set(operation.name, chosen);
    }

    const random = seededRandom(SEED);
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    let sent = 0;
    for (const operation of operations) {
      for (const fuzzCase of generateCases(operation, CASES_PER_OPERATION, random, { ids, credentialFor: (candidate) => credentials.get(candidate.name) ?? 'consumer' })) {
        let problems: string[];
        try {
          const answer = await send(fuzzCase);
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
          problems = check(document, operation, fuzzCase, answer);
          if (problems.length > 0) problems.push(`body ${answer.text.slice(0, 200)}`);
        } catch (error) {
          problems = [`no answer: ${(error as Error).message}`];
        }
        sent++;
        if (problems.length > 0) failures.push(`${operation.name} [${fuzzCase.kind}, as ${fuzzCase.credential}] ${fuzzCase.method} ${fuzzCase.url.slice(0, 120)}: ${problems.join('; ')}`);
      }
    }
    console.log(
      `openapi fuzz: ${operations.length} operations x ${CASES_PER_OPERATION} cases = ${sent} requests (seed ${SEED}); statuses ${[...statuses.entries()]
        .sort(([a], [b]) => a - b)
        .map(([status, count]) => `${status}:${count}`)
        .join(' ')}`,
    );
    expect(failures.slice(0, 30)).toEqual([]);
    expect(serverErrors.slice(0, 10)).toEqual([]);

    // Still standing, and still serving.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await call('GET', '/whoami', 'consumer')).status).toBe(200);
  });
});

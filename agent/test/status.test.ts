// Status, health, the OpenAPI contract and the typed client.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgentClient } from '../src/client';
import { createCaller } from '../src/router';
import { createInnerContext } from '../src/context';
import type { RunCommand } from '../src/process/run-command';
import { startTestAgent, TEST_TOKEN } from './test-support/agent-harness';
import type { TestAgent } from './test-support/agent-harness';

const twoGpus: RunCommand = async () => ({
  exitCode: 0,
  stdout: readFileSync(new URL('../src/status/fixtures/nvidia-smi-2-gpus.csv', import.meta.url), 'utf8'),
  stderr: '',
});

describe('status and health', () => {
  let agent: TestAgent;
  beforeAll(async () => {
    agent = await startTestAgent({ reservationEndsAt: new Date('2030-06-01T00:00:00Z') }, { runCommand: twoGpus });
  });
  afterAll(() => agent.dispose());

  it('GET /node/v1/status reports GPUs, resources, jobs, engine, idle and reservation', async () => {
    const response = await agent.call('/node/v1/status');
    expect(response.status).toBe(200);
    const status = (await response.json()) as Record<string, unknown>;
    expect(status).toMatchObject({
      sessionId: 'sess_test',
      ready: true,
      gpu: { probe: 'ok', gpus: [{ name: 'NVIDIA GeForce RTX 4090', utilizationPercent: 98 }, { index: 1, powerDrawW: null }] },
      jobs: { running: 0, total: 0 },
      llmEngine: { state: 'disabled' },
      idle: { idle: false },
      reservationEndsAt: '2030-06-01T00:00:00.000Z',
      shopper: { heartbeatEnabled: false, deadManState: 'armed' },
    });
    expect((status.disk as { path: string }).path).toBe(agent.runtime.config.workspaceRoot);
    expect((status.memory as { agentRssBytes: number }).agentRssBytes).toBeGreaterThan(0);
  });

  it('reports a node without GPU as none', async () => {
    const other = await startTestAgent();
    try {
      expect(await (await other.call('/node/v1/status')).json()).toMatchObject({ gpu: { probe: 'none', gpus: [] } });
    } finally {
      await other.dispose();
    }
  });

  it('requires the token for status and the document, but not for the bare health probe', async () => {
    expect((await fetch(`${agent.url}/node/v1/status`)).status).toBe(401);
    expect((await fetch(`${agent.url}/node/v1/openapi.json`)).status).toBe(401);
    expect((await fetch(`${agent.url}/node/trpc/status.get`)).status).toBe(401);
    expect((await fetch(`${agent.url}/node/v1/no-such-route`)).status).toBe(401);
    expect((await fetch(`${agent.url}/node/v1/healthz?x=1`)).status).toBe(200);
    expect((await fetch(`${agent.url}/node/v1/healthz/extra`)).status).toBe(401);
    const health = await fetch(`${agent.url}/node/v1/healthz`);
    expect(await health.json()).toEqual({ status: 'ok', ready: true });
  });

  it('answers unknown routes with 404 in the error shape', async () => {
    const response = await agent.call('/node/v1/nope');
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: 'NOT_FOUND', data: { code: 'NOT_FOUND', httpStatus: 404, field: null, fieldErrors: null } });
  });

  it('serves an OpenAPI document listing every route, streamed ones included', async () => {
    const document = (await (await agent.call('/node/v1/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>>; servers: { url: string }[] };
    const routes = Object.entries(document.paths)
      .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    expect(routes).toEqual([
      'GET /files',
      'GET /files/download/{path}',
      'GET /healthz',
      'GET /llm/v1/models',
      'GET /ml/jobs/{jobId}/logs/follow',
      'GET /openapi.json',
      'GET /status',
      'POST /files/upload',
      'POST /llm/chat',
      'POST /llm/v1/chat/completions',
      'POST /ml/command',
    ]);
    expect(document.servers[0]?.url).toBe('/node/v1');
  });

  it('documents its errors in the shopper API’s shape, and OpenAI’s on the pass-through', async () => {
    type Responses = Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
    const document = (await (await agent.call('/node/v1/openapi.json')).json()) as { paths: Record<string, Record<string, { responses: Responses }>>; components: { schemas: Record<string, { required?: string[] }> } };
    expect(document.components.schemas.Error?.required).toEqual(['message', 'code', 'data']);
    expect(Object.keys(document.components.schemas).filter((name) => name.startsWith('error.'))).toEqual([]);
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          if (Number(status) < 400 || response.content === undefined) continue;
          const expected = path.startsWith('/llm/v1/') ? '#/components/schemas/OpenAiError' : '#/components/schemas/Error';
          expect(response.content['application/json']?.schema?.$ref, `${method} ${path} ${status}`).toBe(expected);
        }
      }
    }
  });

  it('the typed client reads status and runs commands over /node/trpc', async () => {
    const client = createAgentClient({ url: agent.url, token: TEST_TOKEN });
    const status = await client.status.get.query({});
    expect(status.gpu.gpus).toHaveLength(2);
    const listing = await client.files.list.query({ path: '' });
    expect(listing.entries).toEqual([]);
    const bad = createAgentClient({ url: agent.url, token: 'wrong' });
    await expect(bad.status.get.query({})).rejects.toMatchObject({ data: { httpStatus: 401 } });
    await expect(client.files.list.query({ path: '../etc' })).rejects.toMatchObject({ data: { code: 'BAD_REQUEST', field: 'path' } });
  });

  it('protected procedures refuse an unauthenticated caller', async () => {
    const caller = createCaller(createInnerContext(agent.runtime, false));
    await expect(caller.status.get({})).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    const authed = createCaller(createInnerContext(agent.runtime, true));
    expect((await authed.status.get({})).sessionId).toBe('sess_test');
  });
});

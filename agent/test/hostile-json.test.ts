// JSON bodies nested past the limit get a 400 in the agent's error shape on every JSON route (the
// REST facade, tRPC and the OpenAI pass-through, in OpenAI's envelope), never a 500 from a stack overflow.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonDepthExceeds, MAX_JSON_DEPTH } from '../src/server/json-body';
import { startTestAgent } from './test-support/agent-harness';
import type { TestAgent } from './test-support/agent-harness';

describe('hostile JSON bodies', () => {
  let agent: TestAgent;
  beforeAll(async () => {
    agent = await startTestAgent();
  });
  afterAll(() => agent.dispose());

  it.each(['/node/v1/ml/command', '/node/v1/llm/chat', '/node/v1/llm/v1/chat/completions'])('answers %s with 400 for a body nested 5,000 deep', async (route) => {
    const response = await agent.call(route, { method: 'POST', body: `{"command":${'['.repeat(5000)}${']'.repeat(5000)}}`, headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(400);
    const message = `The request body nests deeper than ${MAX_JSON_DEPTH} levels`;
    expect(await response.json()).toEqual(
      route.startsWith('/node/v1/llm/v1/')
        ? { error: { code: 'BAD_REQUEST', message, param: null } }
        : { message, code: 'BAD_REQUEST', data: { code: 'BAD_REQUEST', httpStatus: 400, field: null, fieldErrors: null } },
    );
  });

  it('still answers ordinary bodies as before', async () => {
    const response = await agent.call('/node/v1/ml/command', { method: 'POST', body: JSON.stringify({ command: 'bogus' }), headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ message: expect.stringMatching(/^command: /), code: 'BAD_REQUEST', data: { field: 'command', fieldErrors: { command: [expect.any(String)] } } });
  });

  it('measures depth without being fooled by brackets in strings', () => {
    expect(jsonDepthExceeds('{"a":"[[[[\\"{{{{"}', 1)).toBe(false);
    expect(jsonDepthExceeds('[[[]]]', 3)).toBe(false);
    expect(jsonDepthExceeds('[[[[]]]]', 3)).toBe(true);
  });
});

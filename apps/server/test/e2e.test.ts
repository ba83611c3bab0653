// End to end, once per provider: the real server over HTTP, the provider simulators, and real agent
// processes booted by the simulated instances. Provision → ready (the agent's own heartbeats) → chat
// through the node with the official openai SDK (streamed) → file round trip → done → destroyed,
// with the usage events written and the cost ledger charging the session.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MS_PER_MINUTE, MS_PER_SECOND, type Session, type SessionCredentials } from '@gpu-shopper/domain';
import { CostEntryEntity, UsageEventEntity } from '@gpu-shopper/db';
import { startFakeLlmUpstream, type FakeLlmUpstream } from '@gpu-shopper/simulators/llm';
import { LedgerService } from '../../../packages/services/src/costs/ledger';
import { assertZeroOrphans } from './support/orphans';
import { startTestStack, tickUntil, type TestStack } from './support/stack';

const MODEL = 'e2e-echo-model';

describe('end to end with real agents', () => {
  let upstream: FakeLlmUpstream;
  let stack: TestStack;

  beforeAll(async () => {
    upstream = await startFakeLlmUpstream({ modelId: MODEL, chunkDelayMs: 5 });
    // The node runs the agent; its LLM engine is the fake upstream (already up, so no engine command).
    stack = await startTestStack({ agentEnv: { AGENT_HEARTBEAT_INTERVAL_S: '1', AGENT_LLM_COMMAND: '', AGENT_LLM_UPSTREAM_URL: upstream.url } });
  });
  afterAll(async () => {
    await stack?.close();
    await upstream?.close();
  });

  for (const provider of ['vastai', 'tensordock'] as const) {
    it(`provisions on ${provider}, serves the LLM and files through the agent, and ends with the instance destroyed and billed`, async () => {
      const created = await stack.json<Session>('/api/v1/sessions', { method: 'POST', body: JSON.stringify({ gpu: '4090', hours: 1, workload: 'llm', llmModel: MODEL, provider }) });
      expect(created).toMatchObject({ state: 'provisioning', provider });

      const ready = await tickUntil(stack, async () => {
        const session = await stack.json<Session>(`/api/v1/sessions/${created.id}`);
        expect(session.state).toMatch(/^(provisioning|ready)$/);
        return session.state === 'ready' ? session : null;
      }, `${provider} session ready`).catch((error: unknown) => {
        throw new Error(`${String(error)}; agent output: ${[...stack.nodeOutput.values()].join('\n').slice(-2000)}`);
      });
      expect(ready.providerInstanceId).not.toBeNull();
      expect(stack.nodes.has(ready.providerInstanceId!)).toBe(true);

      const credentials = await stack.json<SessionCredentials>(`/api/v1/sessions/${created.id}/credentials`);
      expect(credentials.nodeEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const node = credentials.nodeEndpoint!;
      const nodeAuth = { authorization: `Bearer ${credentials.nodeToken}` };

      const openai = new OpenAI({ baseURL: `${node}/node/v1/llm/v1`, apiKey: credentials.nodeToken, maxRetries: 0 });
      const stream = await openai.chat.completions.create({ model: MODEL, stream: true, messages: [{ role: 'user', content: `hello from ${provider}` }] });
      let answer = '';
      let chunks = 0;
      for await (const chunk of stream) {
        answer += chunk.choices[0]?.delta.content ?? '';
        chunks += 1;
      }
      expect(answer).toBe(`hello from ${provider}`);
      expect(chunks).toBeGreaterThan(1);
      await expect(new OpenAI({ baseURL: `${node}/node/v1/llm/v1`, apiKey: 'gsn_not-the-token', maxRetries: 0 }).models.list()).rejects.toMatchObject({ status: 401 });

      const content = `weights for ${provider}\n`.repeat(1000);
      const upload = await fetch(`${node}/node/v1/files/upload?path=${encodeURIComponent('e2e/data.txt')}`, { method: 'POST', headers: { ...nodeAuth, 'content-type': 'application/octet-stream' }, body: content });
      expect(upload.status).toBe(201);
      const download = await fetch(`${node}/node/v1/files/download/e2e/data.txt`, { headers: nodeAuth });
      expect(download.status).toBe(200);
      expect(await download.text()).toBe(content);

      // Ten minutes of use on the shared clock, then done: the agent hears "shutdown" on its next heartbeat.
      stack.clock.advance(10 * MS_PER_MINUTE);
      await stack.json(`/api/v1/sessions/${created.id}/done`, { method: 'POST', body: JSON.stringify({}) });
      expect((await stack.json<Session>(`/api/v1/sessions/${created.id}`)).state).toBe('stopping');
      const ended = await tickUntil(
        stack,
        async () => {
          const session = await stack.json<Session>(`/api/v1/sessions/${created.id}`);
          return session.state === 'terminated' ? session : null;
        },
        `${provider} session terminated`,
        { advanceMs: 30 * MS_PER_SECOND },
      );
      expect(ended.endReason).toBe('done');

      const sim = provider === 'vastai' ? stack.sims.vast : stack.sims.tensordock;
      expect(sim.lifecycle.get(ready.providerInstanceId!)?.phase).toBe('destroyed');
      expect(sim.lifecycle.live()).toEqual([]);
      await assertZeroOrphans(stack.sims, stack.orm);

      const em = stack.orm.em.fork();
      const usage = await em.find(UsageEventEntity, { sessionId: created.id }, { orderBy: { id: 'asc' } });
      expect(usage.map((event) => event.kind).sort()).toEqual(['compute_started', 'compute_stopped', 'storage_started', 'storage_stopped']);
      await new LedgerService().accrue(em, stack.clock.now(), { sessionId: created.id });
      const costs = await em.find(CostEntryEntity, { sessionId: created.id });
      const totalMicros = costs.reduce((sum, entry) => sum + entry.costMicros, 0);
      expect(costs.map((entry) => entry.kind)).toContain('compute');
      expect(totalMicros).toBeGreaterThan(0);
    });
  }
});

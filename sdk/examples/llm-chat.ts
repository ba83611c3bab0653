// Rents a GPU for an LLM, chats with it through the node's OpenAI-compatible endpoint using the
// official openai package, and hands the GPU back. Run it against `npm start` in simulation mode:
// see README.md beside this file.
import OpenAI from 'openai';
import { createShopperClient, describeShopperError, waitForReady } from '@gpu-shopper/sdk';

const MODEL = process.env.LLM_MODEL ?? 'Qwen/Qwen2.5-0.5B-Instruct';

async function main(): Promise<void> {
  const shopper = createShopperClient({
    url: process.env.GPU_SHOPPER_URL ?? 'http://localhost:8080',
    apiKey: requiredEnv('GPU_SHOPPER_API_KEY'),
    // Makes provisioning safe to retry: the same key and body return the same session.
    headers: { 'idempotency-key': `llm-chat-${process.pid}-${Date.now()}` },
  });
  const session = await shopper.sessions.create.mutate({ gpu: '4090', hours: 1, workload: 'llm', llmModel: MODEL });
  console.log(`session ${session.id}: ${session.state} on ${session.provider ?? 'a provider still being chosen'}`);
  try {
    const ready = await waitForReady(shopper, session.id, {
      pollIntervalMs: 1_000,
      onProgress: (current, elapsedMs) => console.log(`  ${current.state} after ${Math.round(elapsedMs / 1000)} s`),
    });
    const { nodeEndpoint, nodeToken } = await shopper.sessions.credentials.query({ id: ready.id });
    if (nodeEndpoint === null) throw new Error(`session ${ready.id} is ready but has no node endpoint`);

    const llm = new OpenAI({ baseURL: `${nodeEndpoint}/node/v1/llm/v1`, apiKey: nodeToken });
    const stream = await llm.chat.completions.create({ model: MODEL, stream: true, messages: [{ role: 'user', content: 'Say hello from a rented GPU.' }] });
    process.stdout.write('assistant: ');
    for await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta.content ?? '');
    process.stdout.write('\n');
  } finally {
    // Done even when something above failed: an unattended GPU keeps costing.
    const ended = await shopper.sessions.done.mutate({ id: session.id });
    console.log(`session ${ended.id}: ${ended.state}`);
  }
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`set ${name} (a consumer API key: npx gpu-shopper keys create --consumer demo)`);
  return value;
}

main().catch((error: unknown) => {
  const problem = describeShopperError(error);
  console.error(`${problem.code}${problem.field === null ? '' : ` (${problem.field})`}: ${problem.message}`);
  process.exitCode = 1;
});

// Runs the fake LLM upstream as a process, so the agent can manage it as its "engine command" in tests.
// Port from --port N, else FAKE_LLM_PORT, else PORT, else 8000; model from --model or FAKE_LLM_MODEL.
import { startFakeLlmUpstream } from './fake-llm-upstream';

function argValue(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

const port = Number(argValue('--port') ?? process.env.FAKE_LLM_PORT ?? process.env.PORT ?? 8000);
const modelId = argValue('--model') ?? process.env.FAKE_LLM_MODEL;
const chunkDelayMs = Number(argValue('--chunk-delay-ms') ?? process.env.FAKE_LLM_CHUNK_DELAY_MS ?? 0);

const upstream = await startFakeLlmUpstream({ port, chunkDelayMs, ...(modelId ? { modelId } : {}) });
console.log(`fake LLM upstream listening on ${upstream.url}`);
const stop = () => {
  void upstream.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

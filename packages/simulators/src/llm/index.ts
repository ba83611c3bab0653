// Public entry of the fake LLM upstream (imported as @gpu-shopper/simulators/llm).
export { startFakeLlmUpstream, echoAnswer, echoChunks } from './fake-llm-upstream';
export type { FakeLlmUpstream, FakeLlmUpstreamOptions } from './fake-llm-upstream';

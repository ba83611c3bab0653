// Talks to the local OpenAI-compatible engine; shared by the typed chat procedure and the raw pass-through.
import { LlmUnavailableError } from '../errors';
import type { AgentRuntime } from '../runtime';

/** Fails fast when this node has no LLM, so callers get 503 rather than a connection error. */
export function requireEngine(runtime: AgentRuntime): string {
  const { engine } = runtime;
  if (engine.state === 'disabled') throw new LlmUnavailableError('This node runs no LLM engine (workload is not llm)');
  if (engine.state === 'exited' || engine.state === 'failed' || engine.state === 'stopped') throw new LlmUnavailableError(`The LLM engine is ${engine.state}`);
  return engine.upstreamUrl;
}

/** fetch to the engine, with connection failures turned into "unavailable" (the engine may still be loading). */
export async function fetchEngine(runtime: AgentRuntime, path: string, init: RequestInit): Promise<Response> {
  const upstreamUrl = requireEngine(runtime);
  try {
    return await fetch(`${upstreamUrl}${path}`, init);
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new LlmUnavailableError(`The LLM engine is not reachable (${runtime.engine.state})`);
  }
}

// LLM chat check: the agent starts the engine (vLLM) on a model already on the machine; once its
// status says the engine is ready, one streamed chat completion goes through the agent's
// OpenAI-compatible endpoint with the official openai SDK, timing the first token and the decode rate.
import OpenAI from 'openai';
import type { StatusReader } from './agent-api';
import { CHECK_NAMES } from './plan';
import { failRow, okRow } from './table';
import type { CheckRow } from './table';
import { decodeTokensPerSecond, formatRate, formatSeconds } from './throughput';

export type EngineWait = { ready: true; waitedMs: number } | { ready: false; reason: string };

const tail = (lines: string[], count = 3) => lines.slice(-count).join(' | ').slice(-400);

/** Polls the agent's status until its engine is ready, has exited, or the time is up. */
export async function waitForEngineReady(deps: { readStatus: StatusReader; now: () => number; sleep: (ms: number) => Promise<void>; pollMs: number; timeoutMs: number }): Promise<EngineWait> {
  const startedAt = deps.now();
  for (;;) {
    const { llmEngine } = await deps.readStatus();
    const waitedMs = deps.now() - startedAt;
    if (llmEngine.state === 'ready') return { ready: true, waitedMs };
    // `exited` is an engine waiting for its restart (the check's agent runs with AGENT_LLM_MAX_RESTARTS=0,
    // so it goes to `failed` at once); any other state is final: report the first failure.
    if (llmEngine.state !== 'starting' && llmEngine.state !== 'exited') {
      const output = llmEngine.failureReason ?? tail(llmEngine.recentOutput);
      return { ready: false, reason: `engine ${llmEngine.state}${llmEngine.exitCode !== null ? ` with code ${llmEngine.exitCode}` : ''} after ${formatSeconds(waitedMs)}${output ? `: ${output}` : ''}` };
    }
    if (waitedMs >= deps.timeoutMs) {
      const output = tail(llmEngine.recentOutput);
      return { ready: false, reason: `engine not ready after ${formatSeconds(waitedMs)}${output ? `; last output: ${output}` : ''}` };
    }
    await deps.sleep(deps.pollMs);
  }
}

export interface ChatMeasurement {
  startedAtMs: number;
  /** When the first non-empty piece of text arrived; null if none did. */
  firstTokenAtMs: number | null;
  lastTokenAtMs: number | null;
  /** Completion tokens: the engine's usage figure when it sends one, else the content chunks counted. */
  tokens: number;
  tokenSource: 'usage' | 'chunks';
  text: string;
}

export const CHAT_PROMPT = 'Count from 1 to 60, separated by spaces. Reply with the numbers only.';

export async function measureStreamedChat(options: { baseURL: string; apiKey: string; model: string; maxTokens: number; now: () => number }): Promise<ChatMeasurement> {
  const client = new OpenAI({ baseURL: options.baseURL, apiKey: options.apiKey, maxRetries: 0, timeout: 300_000 });
  const startedAtMs = options.now();
  const stream = await client.chat.completions.create({
    model: options.model,
    messages: [{ role: 'user', content: CHAT_PROMPT }],
    max_tokens: options.maxTokens,
    temperature: 0,
    stream: true,
    stream_options: { include_usage: true },
  });
  let firstTokenAtMs: number | null = null;
  let lastTokenAtMs: number | null = null;
  let chunks = 0;
  let usageTokens: number | null = null;
  let text = '';
  for await (const chunk of stream) {
    if (chunk.usage?.completion_tokens !== undefined) usageTokens = chunk.usage.completion_tokens;
    const delta = chunk.choices[0]?.delta as { content?: string | null; reasoning_content?: string | null } | undefined;
    // Reasoning models stream their thinking apart from the answer; both are generated tokens.
    const piece = `${delta?.reasoning_content ?? ''}${delta?.content ?? ''}`;
    if (piece === '') continue;
    const at = options.now();
    firstTokenAtMs ??= at;
    lastTokenAtMs = at;
    chunks += 1;
    text += piece;
  }
  return usageTokens !== null
    ? { startedAtMs, firstTokenAtMs, lastTokenAtMs, tokens: usageTokens, tokenSource: 'usage', text }
    : { startedAtMs, firstTokenAtMs, lastTokenAtMs, tokens: chunks, tokenSource: 'chunks', text };
}

export function judgeChat(measurement: ChatMeasurement, context: { model: string; engineReadyAfterMs: number }): CheckRow {
  const name = CHECK_NAMES.llm;
  if (measurement.firstTokenAtMs === null || measurement.lastTokenAtMs === null || measurement.tokens === 0) {
    return failRow(name, `${context.model}: the streamed answer had no text`);
  }
  const ttftMs = measurement.firstTokenAtMs - measurement.startedAtMs;
  const rate = decodeTokensPerSecond({ tokens: measurement.tokens, firstTokenAtMs: measurement.firstTokenAtMs, lastTokenAtMs: measurement.lastTokenAtMs });
  const counted = measurement.tokenSource === 'usage' ? 'tokens' : 'chunks (no usage sent)';
  return okRow(
    name,
    `TTFT ${Math.round(ttftMs)} ms, ${rate === null ? 'n/a' : formatRate(rate)} tok/s`,
    `${context.model}: ${measurement.tokens} ${counted}; engine ready after ${formatSeconds(context.engineReadyAfterMs)}`,
  );
}
